//! Runs the checks along their dependency graph: each starts the moment its prerequisites have
//! passed, all run concurrently, each under its own timeout and all under one deadline; results
//! stream out as they land, and a cancel stops everything at once.

use super::context::Ctx;
use super::facts::Upstream;
use super::model::{CheckId, CheckResult, DoctorEvent, Evidence, Fix, HeldBack, PlannedCheck, Section, Status, Summary};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// What a check's body returns; the runner adds id, section, title and duration.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub status: Option<Status>,
    pub detail: String,
    pub hint: String,
    pub evidence: Evidence,
    pub fix: Option<Fix>,
}

impl Outcome {
    pub fn pass(detail: impl Into<String>) -> Self {
        Self { status: Some(Status::Pass), detail: detail.into(), ..Default::default() }
    }
    pub fn warn(detail: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { status: Some(Status::Warn), detail: detail.into(), hint: hint.into(), ..Default::default() }
    }
    pub fn fail(detail: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { status: Some(Status::Fail), detail: detail.into(), hint: hint.into(), ..Default::default() }
    }
    pub fn skip(detail: impl Into<String>) -> Self {
        Self { status: Some(Status::Skip), detail: detail.into(), ..Default::default() }
    }
    pub fn with(mut self, evidence: Evidence) -> Self {
        self.evidence = evidence;
        self
    }
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

pub type CheckFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;
pub type CheckBody = Arc<dyn Fn(Arc<Ctx>, Upstream) -> CheckFuture + Send + Sync>;

/// One check as data.
#[derive(Clone)]
pub struct Check {
    pub id: CheckId,
    pub section: Section,
    pub title: String,
    /// Skipped, naming the first of these that did not pass (a warning counts as passing).
    pub requires: Vec<CheckId>,
    /// Waited for before it starts, whatever their outcome (they may leave facts behind).
    pub after: Vec<CheckId>,
    /// Whose facts it may wait for while it runs (only when its findings need them).
    pub uses: Vec<CheckId>,
    /// Overrides the run's per-check timeout (az and Claude Code start slower than a socket).
    pub timeout: Option<Duration>,
    pub body: CheckBody,
}

impl Check {
    /// A check that reads no other check's facts.
    pub fn new<F, Fut>(id: CheckId, title: impl Into<String>, body: F) -> Self
    where
        F: Fn(Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        Self::reading(id, title, move |c, _| body(c))
    }
    /// A check handed the facts of the checks it declares (`requires`, `after`, `uses`).
    pub fn reading<F, Fut>(id: CheckId, title: impl Into<String>, body: F) -> Self
    where
        F: Fn(Arc<Ctx>, Upstream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        Self {
            id,
            section: id.section(),
            title: title.into(),
            requires: Vec::new(),
            after: Vec::new(),
            uses: Vec::new(),
            timeout: None,
            body: Arc::new(move |c, up| Box::pin(body(c, up))),
        }
    }
    pub fn requires(mut self, ids: &[CheckId]) -> Self {
        self.requires.extend_from_slice(ids);
        self
    }
    pub fn after(mut self, ids: &[CheckId]) -> Self {
        self.after.extend_from_slice(ids);
        self
    }
    pub fn uses(mut self, ids: &[CheckId]) -> Self {
        self.uses.extend_from_slice(ids);
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }
    pub fn planned(&self) -> PlannedCheck {
        PlannedCheck {
            id: self.id,
            section: self.section,
            title: self.title.clone(),
            requires: self.requires.clone(),
            after: self.after.clone(),
            uses: self.uses.clone(),
        }
    }
    /// Every check it declared, whichever way.
    fn declared(&self) -> impl Iterator<Item = CheckId> + '_ {
        self.requires.iter().chain(&self.after).chain(&self.uses).copied()
    }
}

/// Runs `checks` and returns their results in catalogue order. `emit` sees every event as it
/// happens (from the runner's tasks; it must not block).
pub async fn run(ctx: Arc<Ctx>, checks: Vec<Check>, cancel: CancellationToken, emit: Arc<dyn Fn(DoctorEvent) + Send + Sync>) -> (Vec<CheckResult>, Summary) {
    let started = Instant::now();
    emit(DoctorEvent::Planned { checks: checks.iter().map(Check::planned).collect() });
    let mut senders = HashMap::new();
    let mut receivers = HashMap::new();
    for c in &checks {
        let (tx, rx) = watch::channel(None::<Status>);
        senders.insert(c.id, tx);
        receivers.insert(c.id, rx);
    }
    let results: Arc<std::sync::Mutex<HashMap<CheckId, CheckResult>>> = Arc::default();
    // Where the chain of each skipped-for-a-prerequisite check starts.
    let causes: Arc<std::sync::Mutex<HashMap<CheckId, CheckId>>> = Arc::default();
    let mut tasks = tokio::task::JoinSet::new();
    let per_check = ctx.options.check_timeout;
    for check in checks.clone() {
        let Some(tx) = senders.remove(&check.id) else { continue };
        let waits: Vec<(CheckId, bool, watch::Receiver<Option<Status>>)> = check
            .requires
            .iter()
            .map(|id| (*id, true))
            .chain(check.after.iter().map(|id| (*id, false)))
            .filter_map(|(id, hard)| receivers.get(&id).map(|rx| (id, hard, rx.clone())))
            .collect();
        // The only checks whose facts this one may read: the ones it declared.
        let upstream = Upstream::new(ctx.clone(), check.declared().map(|id| (id, receivers.get(&id).cloned())).collect());
        let (ctx, emit, results, causes) = (ctx.clone(), emit.clone(), results.clone(), causes.clone());
        tasks.spawn(async move {
            let mut blocked_by = None;
            for (id, hard, mut rx) in waits {
                // A soft wait ("after") only hopes for facts: bounded by half the deadline, so a
                // producer that hangs (a shell stuck in its rc file) cannot hold the check back
                // past it.
                let wait = rx.wait_for(Option::is_some);
                let status = if hard {
                    wait.await.map(|s| *s).unwrap_or(Some(Status::Skip))
                } else {
                    match tokio::time::timeout_at(ctx.facts_until(), wait).await {
                        Ok(Ok(s)) => *s,
                        _ => None,
                    }
                };
                if hard && blocked_by.is_none() && !matches!(status, Some(Status::Pass | Status::Warn)) {
                    blocked_by = Some((id, status.unwrap_or(Status::Skip)));
                }
            }
            let begun = Instant::now();
            let outcome = match &blocked_by {
                Some((id, status)) => Outcome::skip(format!("{}{id} {}", super::model::SKIPPED, if *status == Status::Skip { "was skipped" } else { "failed" })),
                None => {
                    emit(DoctorEvent::Started { id: check.id });
                    let limit = check.timeout.unwrap_or(per_check);
                    match tokio::time::timeout(limit, (check.body)(ctx.clone(), upstream)).await {
                        Ok(o) => o,
                        Err(_) => Outcome::fail(
                            format!("no answer within {} s", limit.as_secs_f32()),
                            "Something on the path holds the connection without answering (a firewall dropping packets, a proxy waiting); run this check alone with `foundry-onboard doctor --only <id>` to see where it stops.",
                        ),
                    }
                }
            };
            let result = ctx.scrub(finish(&check, outcome, begun.elapsed()));
            // The prerequisite has finished (its status is sent after it is kept in `causes`): the
            // chain starts where the prerequisite's own chain starts, or at the prerequisite.
            let held_back = blocked_by.as_ref().map(|(id, _)| {
                let cause = causes.lock().ok().and_then(|c| c.get(id).copied()).unwrap_or(*id);
                HeldBack { by: *id, cause }
            });
            if let (Some(h), Ok(mut c)) = (&held_back, causes.lock()) {
                c.insert(check.id, h.cause);
            }
            if let Ok(mut r) = results.lock() {
                r.insert(check.id, result.clone());
            }
            // Printed before its dependents wake: a skip must never land above the failure that
            // caused it (the CLI prints in arrival order).
            let status = result.status;
            emit(DoctorEvent::Finished { result: Box::new(result), held_back });
            let _ = tx.send(Some(status));
        });
    }
    let deadline = ctx.options.deadline;
    let mut incomplete = false;
    let all = async { while tasks.join_next().await.is_some() {} };
    tokio::select! {
        _ = all => {}
        _ = tokio::time::sleep(deadline) => incomplete = true,
        _ = cancel.cancelled() => incomplete = true,
    }
    tasks.abort_all();
    let mut done = results.lock().map(|r| r.clone()).unwrap_or_default();
    // Out of time is a finding (something on the path is slow); a cancel is the person's choice,
    // not a failure of the checks it stopped.
    let unfinished = || {
        if cancel.is_cancelled() {
            Outcome::skip("cancelled before it finished")
        } else {
            Outcome::fail(
                format!("not finished within the overall deadline of {} s", deadline.as_secs_f32()),
                "Run the doctor again; if it keeps happening, run the slow check alone with --only.",
            )
        }
    };
    let mut ordered = Vec::new();
    for check in &checks {
        let r = match done.remove(&check.id) {
            Some(r) => r,
            None => {
                let r = ctx.scrub(finish(check, unfinished(), started.elapsed()));
                emit(DoctorEvent::Finished { result: Box::new(r.clone()), held_back: None });
                r
            }
        };
        ordered.push(r);
    }
    let summary = Summary::of(&ordered, started.elapsed().as_millis() as u64, incomplete);
    emit(DoctorEvent::Done { summary: summary.clone() });
    (ordered, summary)
}

fn finish(check: &Check, o: Outcome, took: Duration) -> CheckResult {
    CheckResult {
        id: check.id,
        section: check.section,
        title: check.title.clone(),
        status: o.status.unwrap_or(Status::Fail),
        detail: o.detail,
        hint: o.hint,
        duration_ms: took.as_millis() as u64,
        evidence: o.evidence,
        fix: o.fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::doctor::context::DoctorOptions;

    /// The CLI prints in arrival order: a check held back by a failure must arrive after it, down
    /// the whole chain, however the tasks are scheduled.
    #[test]
    fn a_skipped_check_arrives_after_the_failure_that_held_it_back() {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
        for _ in 0..50 {
            let mut options = DoctorOptions::new("/nonexistent/c.toml".into(), "/nonexistent/cli".into(), "/".into());
            options.az = None;
            let ctx = Ctx::new(Config::default(), options).unwrap();
            let checks = vec![
                Check::new(CheckId::PathDns, "dns", |_| async { Outcome::fail("NXDOMAIN", "fix it") }),
                Check::new(CheckId::PathTcp, "tcp", |_| async { Outcome::pass("") }).requires(&[CheckId::PathDns]),
                Check::new(CheckId::PathTls, "tls", |_| async { Outcome::pass("") }).requires(&[CheckId::PathTcp]),
            ];
            let seen: Arc<std::sync::Mutex<Vec<(CheckId, Status)>>> = Arc::default();
            let log = seen.clone();
            let emit: Arc<dyn Fn(DoctorEvent) + Send + Sync> = Arc::new(move |e| {
                if let DoctorEvent::Finished { result, .. } = e {
                    // A slow terminal: printing the failure takes a moment, in which a dependent
                    // woken too early would print its skip first.
                    if result.status == Status::Fail {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    log.lock().unwrap().push((result.id, result.status));
                }
            });
            rt.block_on(run(ctx, checks, CancellationToken::new(), emit));
            let order = seen.lock().unwrap().clone();
            assert_eq!(order, vec![(CheckId::PathDns, Status::Fail), (CheckId::PathTcp, Status::Skip), (CheckId::PathTls, Status::Skip)]);
        }
    }
}
