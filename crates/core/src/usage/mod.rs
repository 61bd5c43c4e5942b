//! Usage and budget (issue #20): one snapshot type that every source fills, the forecast, the
//! charts and tables drawn from it, and the sources behind one trait.

pub mod forecast;
pub mod model;

pub use forecast::{Forecast, ForecastOutcome, RateRange};
pub use model::{
    Budget, BudgetScope, BudgetState, BudgetUnit, Completeness, Cost, CostBasis, DroppedRecord, Identity, Latency, Provenance, SourceKind, UsageRow,
    UsageSnapshot,
};
