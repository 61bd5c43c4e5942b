//! The few W3C WebDriver calls the GUI tests need, over plain HTTP to a loopback tauri-driver.
//! (fantoccini would bring a second TLS stack for a connection that never uses TLS.)

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Session {
    client: reqwest::Client,
    base: String,
}

impl Session {
    /// Starts the app through tauri-driver. Session creation hangs forever when the app cannot
    /// start (facts/tauri-headless.md §4), so it has its own timeout.
    pub async fn start(port: u16, application: &str, args: &[&str]) -> Result<Self> {
        let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build()?;
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": application, "args": args}}}});
        let resp = tokio::time::timeout(Duration::from_secs(45), client.post(format!("http://127.0.0.1:{port}/session")).json(&caps).send())
            .await
            .context("creating the WebDriver session timed out (did the app start?)")??;
        let body: Value = resp.json().await?;
        let id = body["value"]["sessionId"].as_str().with_context(|| format!("no session id in {body}"))?.to_string();
        Ok(Self { client, base: format!("http://127.0.0.1:{port}/session/{id}") })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let v: Value = rb.send().await?.json().await?;
        if let Some(err) = v["value"].get("error") {
            bail!("WebDriver {path}: {err} {}", v["value"]["message"]);
        }
        Ok(v["value"].clone())
    }

    pub async fn title(&self) -> Result<String> {
        Ok(self.call(reqwest::Method::GET, "/title", None).await?.as_str().unwrap_or_default().to_string())
    }

    /// Finds an element by `data-testid`, waiting up to 10 s for it to appear.
    pub async fn find(&self, testid: &str) -> Result<String> {
        let start = Instant::now();
        loop {
            let r = self.call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": format!("[data-testid=\"{testid}\"]")}))).await;
            match r {
                Ok(v) => return v[ELEMENT_KEY].as_str().map(str::to_string).context("element id"),
                Err(e) if start.elapsed() > Duration::from_secs(10) => return Err(e.context(format!("no element [data-testid={testid}]"))),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn exists(&self, testid: &str) -> Result<bool> {
        let v = self.call(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": format!("[data-testid=\"{testid}\"]")}))).await?;
        Ok(v.as_array().is_some_and(|a| !a.is_empty()))
    }

    /// Clicks an element as a person would: scrolled to the middle of what they see first.
    /// WebDriver's own scroll stops once any part of the element is inside the window, even a
    /// part the app's scroller clips, and its click then lands on whatever covers the middle
    /// (the status line once, in CI).
    pub async fn click(&self, testid: &str) -> Result<()> {
        let id = self.find(testid).await?;
        let script = "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'}); return true";
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": [{ELEMENT_KEY: id}]}))).await?;
        self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await?;
        Ok(())
    }

    pub async fn text(&self, testid: &str) -> Result<String> {
        let id = self.find(testid).await?;
        Ok(self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None).await?.as_str().unwrap_or_default().to_string())
    }

    pub async fn displayed(&self, testid: &str) -> Result<bool> {
        let id = self.find(testid).await?;
        Ok(self.call(reqwest::Method::GET, &format!("/element/{id}/displayed"), None).await?.as_bool().unwrap_or(false))
    }

    /// Runs a script in the page and returns its value.
    pub async fn script(&self, source: &str) -> Result<Value> {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": source, "args": []}))).await
    }

    /// Sends keys to the focused element.
    pub async fn keys(&self, text: &str) -> Result<()> {
        let active = self.call(reqwest::Method::GET, "/element/active", None).await?;
        let id = active[ELEMENT_KEY].as_str().context("no focused element")?.to_string();
        self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({"text": text}))).await?;
        Ok(())
    }

    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        Ok(base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default())?)
    }

    /// Sets the window's outer size (the app's minimum is 800×600).
    pub async fn resize(&self, width: u32, height: u32) -> Result<()> {
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({"width": width, "height": height}))).await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.client.delete(&self.base).send().await?;
        Ok(())
    }
}
