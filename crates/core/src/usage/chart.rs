//! The usage charts, drawn in Rust by plotters with an embedded font (no fontconfig): tokens per
//! day stacked by model, and cost per day with the spend so far, the budget line and the
//! forecast — SVG for the app (shown as an image, text escaped), PNG or SVG for the CLI.

use super::forecast::Forecast;
use super::model::{Budget, BudgetUnit};
use super::table::Series;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// DejaVu Sans (Bitstream Vera licence, `assets/DejaVuSans.LICENSE`): the same glyphs on every OS.
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
pub const SIZE: (u32, u32) = (900, 500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    Light,
    Dark,
}

/// What to draw.
pub enum Chart<'a> {
    /// A stacked bar per day, one colour per series.
    Tokens(&'a Series),
    /// Bars of daily cost, the spend so far in the budget period, the limit, and the forecast
    /// to the reset.
    Cost { series: &'a Series, budget: Option<&'a Budget>, forecast: Option<&'a Forecast>, as_of: DateTime<Utc> },
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded chart font could not be loaded")]
    Font,
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    #[error("cannot write the chart to {}: {detail}", path.display())]
    Write { path: std::path::PathBuf, detail: String },
}

impl crate::Diagnose for ChartError {
    fn kind(&self) -> crate::ErrorKind {
        match self {
            ChartError::Write { .. } => crate::ErrorKind::Io,
            _ => crate::ErrorKind::Internal,
        }
    }
    fn hint(&self) -> String {
        match self {
            ChartError::Write { path, .. } => format!("Check that {} is writable and ends in .png or .svg.", path.parent().unwrap_or(Path::new(".")).display()),
            _ => "This is a bug in Foundry Onboard: please report it with the usage source you use.".into(),
        }
    }
}

struct Palette {
    background: RGBColor,
    text: RGBColor,
    grid: RGBColor,
    budget: RGBColor,
    forecast: RGBColor,
    spend: RGBColor,
    series: [RGBColor; 9],
}

/// Okabe–Ito-like hues, readable on white and on near-black, told apart by colour-blind people.
const LIGHT: Palette = Palette {
    background: RGBColor(255, 255, 255),
    text: RGBColor(34, 34, 34),
    grid: RGBColor(225, 225, 225),
    budget: RGBColor(200, 30, 30),
    forecast: RGBColor(213, 94, 0),
    spend: RGBColor(20, 20, 20),
    series: [
        RGBColor(0, 114, 178),
        RGBColor(230, 159, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(213, 94, 0),
        RGBColor(240, 228, 66),
        RGBColor(120, 94, 240),
        RGBColor(128, 128, 128),
    ],
};

const DARK: Palette = Palette {
    background: RGBColor(30, 30, 30),
    text: RGBColor(230, 230, 230),
    grid: RGBColor(70, 70, 70),
    budget: RGBColor(255, 107, 107),
    forecast: RGBColor(255, 170, 80),
    spend: RGBColor(245, 245, 245),
    series: [
        RGBColor(86, 180, 233),
        RGBColor(230, 159, 0),
        RGBColor(0, 200, 150),
        RGBColor(224, 141, 187),
        RGBColor(0, 140, 210),
        RGBColor(240, 120, 40),
        RGBColor(240, 228, 66),
        RGBColor(160, 140, 255),
        RGBColor(170, 170, 170),
    ],
};

fn font() -> Result<(), ChartError> {
    static LOADED: OnceLock<bool> = OnceLock::new();
    let ok = *LOADED.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// The chart as SVG text (every label escaped by the SVG backend).
pub fn svg(chart: &Chart, theme: Theme) -> Result<String, ChartError> {
    font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(root, chart, theme)?;
    }
    Ok(out)
}

/// The chart as a PNG file at `path`.
pub fn write_png(chart: &Chart, theme: Theme, path: &Path) -> Result<(), ChartError> {
    font()?;
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    draw(root, chart, theme).map_err(|e| match e {
        ChartError::Draw(detail) => ChartError::Write { path: path.into(), detail },
        other => other,
    })
}

fn fail<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart, theme: Theme) -> Result<(), ChartError> {
    let p = if theme == Theme::Light { &LIGHT } else { &DARK };
    root.fill(&p.background).map_err(fail)?;
    match chart {
        Chart::Tokens(series) => tokens(&root, series, p)?,
        Chart::Cost { series, budget, forecast, as_of } => cost(&root, series, *budget, *forecast, *as_of, p)?,
    }
    root.present().map_err(fail)
}

fn short(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

fn tokens<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &Series, p: &Palette) -> Result<(), ChartError> {
    let n = s.days.len().max(1);
    let top = (0..s.days.len()).map(|d| s.values.iter().map(|v| v[d]).sum::<f64>()).fold(0.0, f64::max).max(1.0) * 1.1;
    let mut chart = ChartBuilder::on(root)
        .caption(&s.title, ("sans-serif", 20).into_font().color(&p.text))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, 0f64..top)
        .map_err(fail)?;
    let days = &s.days;
    let label_x = |x: &f64| days.get(x.floor().max(0.0) as usize).map(|d| short(*d)).unwrap_or_default();
    let label_y = |y: &f64| compact(*y);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(p.background)
        .bold_line_style(p.grid)
        .axis_style(p.text)
        .label_style(("sans-serif", 13).into_font().color(&p.text))
        .x_labels(8)
        .x_label_formatter(&label_x)
        .y_label_formatter(&label_y)
        .y_desc(s.unit.as_str())
        .draw()
        .map_err(fail)?;
    let mut base = vec![0.0; s.days.len()];
    for (i, (name, values)) in s.names.iter().zip(&s.values).enumerate() {
        let colour = p.series[i % p.series.len()];
        let bars: Vec<Rectangle<(f64, f64)>> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0.0)
            .map(|(d, v)| Rectangle::new([(d as f64 + 0.1, base[d]), (d as f64 + 0.9, base[d] + v)], colour.filled()))
            .collect();
        for (d, v) in values.iter().enumerate() {
            base[d] += v;
        }
        chart.draw_series(bars).map_err(fail)?.label(name.as_str()).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    legend(&mut chart, p)
}

fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>,
    p: &Palette,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(p.background.mix(0.85))
        .border_style(p.grid)
        .label_font(("sans-serif", 13).into_font().color(&p.text))
        .draw()
        .map_err(fail)
}

/// 1234567 → "1.2M".
fn compact(v: f64) -> String {
    match v.abs() {
        a if a >= 1e9 => format!("{:.1}G", v / 1e9),
        a if a >= 1e6 => format!("{:.1}M", v / 1e6),
        a if a >= 1e3 => format!("{:.0}k", v / 1e3),
        a if a >= 10.0 || a == 0.0 => format!("{v:.0}"),
        _ => format!("{v:.2}"),
    }
}

fn cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Series,
    budget: Option<&Budget>,
    forecast: Option<&Forecast>,
    as_of: DateTime<Utc>,
    p: &Palette,
) -> Result<(), ChartError> {
    let daily = s.values.first().cloned().unwrap_or_default();
    let first = s.days.first().copied().unwrap_or_else(|| as_of.date_naive());
    let x_of = |d: NaiveDate| (d - first).num_days() as f64;
    let usd = budget.filter(|b| b.unit == BudgetUnit::Usd);
    // The spend so far in the budget period, day by day, ending at the budget's own figure.
    let start = usd.and_then(|b| b.period_start).map(|t| t.date_naive()).unwrap_or(first);
    let mut running: Vec<(f64, f64)> = vec![(x_of(start.max(first)), 0.0)];
    let mut sum = 0.0;
    for (d, v) in s.days.iter().zip(&daily).filter(|(d, _)| **d >= start) {
        sum += v;
        running.push((x_of(*d) + 1.0, sum));
    }
    if let Some(b) = usd {
        let shift = b.spent - sum;
        running.iter_mut().for_each(|(_, y)| *y += shift);
    }
    let today = x_of(as_of.date_naive()) + 1.0;
    let projection = usd.zip(forecast.and_then(|f| f.daily_rate)).and_then(|(b, rate)| {
        let reset = b.resets_at?;
        let days_left = (reset - as_of).num_seconds().max(0) as f64 / 86_400.0;
        Some([(today, b.spent), (today + days_left, b.spent + rate * days_left)])
    });
    let right = projection.map(|p| p[1].0).unwrap_or(0.0).max(s.days.len() as f64).max(today).max(1.0);
    let limit = usd.and_then(|b| b.limit);
    let highest_spend = running.iter().map(|(_, y)| *y).fold(0.0, f64::max);
    let top = [limit.unwrap_or(0.0), projection.map(|p| p[1].1).unwrap_or(0.0), highest_spend, daily.iter().copied().fold(0.0, f64::max)]
        .into_iter()
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.1;
    let title = match forecast {
        Some(f) => format!("cost per day (USD) — {}", f.sentence),
        None => "cost per day (USD)".to_string(),
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 16).into_font().color(&p.text))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..right, 0f64..top)
        .map_err(fail)?;
    let label_x = |x: &f64| short(first + Duration::days(x.floor() as i64));
    let label_y = |y: &f64| format!("${}", compact(*y));
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(p.background)
        .bold_line_style(p.grid)
        .axis_style(p.text)
        .label_style(("sans-serif", 13).into_font().color(&p.text))
        .x_labels(8)
        .x_label_formatter(&label_x)
        .y_label_formatter(&label_y)
        .draw()
        .map_err(fail)?;
    let bar = p.series[0];
    let bars = daily.iter().enumerate().filter(|(_, v)| **v > 0.0).map(|(d, v)| Rectangle::new([(d as f64 + 0.1, 0.0), (d as f64 + 0.9, *v)], bar.filled()));
    chart.draw_series(bars).map_err(fail)?.label("cost per day").legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], bar.filled()));
    if usd.is_some() && running.len() > 1 {
        let spend = p.spend;
        chart
            .draw_series(LineSeries::new(running, spend.stroke_width(2)))
            .map_err(fail)?
            .label("spent this period")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], spend.stroke_width(2)));
    }
    if let Some(l) = limit {
        let red = p.budget;
        chart
            .draw_series(LineSeries::new([(0.0, l), (right, l)], red.stroke_width(2)))
            .map_err(fail)?
            .label(format!("budget ${}", compact(l)))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], red.stroke_width(2)));
    }
    if let Some(points) = projection {
        let orange = p.forecast;
        chart
            .draw_series(DashedLineSeries::new(points, 8, 5, orange.stroke_width(2)))
            .map_err(fail)?
            .label("forecast to the reset")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], orange.stroke_width(2)));
    }
    legend(&mut chart, p)
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
