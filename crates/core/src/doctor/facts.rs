//! What one check learns for others, and the only way to read it: through the [`Upstream`] the
//! runner hands a check, which holds the checks it declared in the catalogue (`requires`, `after`,
//! `uses`) and nothing else — so every edge between checks is written down, none is discovered by
//! polling shared state.

use super::check_id::CheckId;
use super::context::{ArmAccount, Ctx};
use super::model::Status;
use crate::Secret;
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use tokio::sync::watch;
use tokio::time::Instant;

/// Facts of one run; each is set at most once, by the check that produces it.
#[derive(Default)]
pub struct Facts {
    addresses: OnceLock<Vec<IpAddr>>,
    reached: OnceLock<SocketAddr>,
    account: OnceLock<ArmAccount>,
    foundry_token: OnceLock<Secret>,
    terminal_env: OnceLock<BTreeMap<String, String>>,
}

/// A kind of fact and the check that produces it.
pub struct Fact<T: 'static> {
    pub producer: CheckId,
    cell: fn(&Facts) -> &OnceLock<T>,
}

/// The endpoint host's addresses that are private (path.dns → path.tcp).
pub const ADDRESSES: Fact<Vec<IpAddr>> = Fact { producer: CheckId::PathDns, cell: |f| &f.addresses };
/// The address path.tcp reached (→ path.tls).
pub const REACHED: Fact<SocketAddr> = Fact { producer: CheckId::PathTcp, cell: |f| &f.reached };
/// The account as ARM describes it (foundry.config → path.dns, foundry.<tier>).
pub const ACCOUNT: Fact<ArmAccount> = Fact { producer: CheckId::FoundryConfig, cell: |f| &f.account };
/// The Entra ID token for Foundry (signin.token → foundry.<tier>).
pub const FOUNDRY_TOKEN: Fact<Secret> = Fact { producer: CheckId::SigninToken, cell: |f| &f.foundry_token };
/// The environment of a new terminal, where Claude Code runs (env.profile → path.proxy).
pub const TERMINAL_ENV: Fact<BTreeMap<String, String>> = Fact { producer: CheckId::EnvProfile, cell: |f| &f.terminal_env };

impl Facts {
    /// Records a fact (the first value wins).
    pub fn set<T>(&self, fact: &Fact<T>, value: T) {
        let _ = (fact.cell)(self).set(value);
    }
}

/// The checks one check declared, as the runner hands them to it: their facts, and a bounded
/// wait for the ones it `uses` (which it may need, or not, while it runs).
pub struct Upstream {
    ctx: Arc<Ctx>,
    /// Every declared check, with the end of its run when it is part of this one.
    declared: HashMap<CheckId, Option<watch::Receiver<Option<Status>>>>,
}

impl Upstream {
    pub(super) fn new(ctx: Arc<Ctx>, declared: HashMap<CheckId, Option<watch::Receiver<Option<Status>>>>) -> Self {
        Self { ctx, declared }
    }

    /// A fact of a declared check, once it is known; None for a check this one did not declare.
    pub fn get<T>(&self, fact: &Fact<T>) -> Option<&T> {
        if !self.declared.contains_key(&fact.producer) {
            return None;
        }
        (fact.cell)(&self.ctx.facts).get()
    }

    /// Whether declared check `id` is part of this run.
    pub fn is_planned(&self, id: CheckId) -> bool {
        matches!(self.declared.get(&id), Some(Some(_)))
    }

    /// Waits until declared check `id` has ended (or is not part of this run), at most until half
    /// the deadline ([`Ctx::facts_until`]); whether it ended. An undeclared check never ends here.
    pub async fn settled(&self, id: CheckId) -> bool {
        self.settled_by(id, self.ctx.facts_until()).await
    }

    /// [`Upstream::settled`] with its own limit.
    pub async fn settled_by(&self, id: CheckId, until: Instant) -> bool {
        let mut rx = match self.declared.get(&id) {
            None => return false,
            Some(None) => return true,
            Some(Some(rx)) => rx.clone(),
        };
        // A sender gone (the run is being torn down) means nothing more will come either.
        tokio::time::timeout_at(until, rx.wait_for(Option::is_some)).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Arc<Ctx> {
        let dir = std::env::temp_dir();
        let mut options = crate::doctor::DoctorOptions::new(dir.join("config.toml"), dir.join("foundry-onboard"), dir.clone());
        options.az = None;
        Ctx::new(crate::config::Config::default(), options).unwrap()
    }

    #[test]
    fn a_check_reads_only_the_facts_of_the_checks_it_declared() {
        let ctx = ctx();
        ctx.facts.set(&ADDRESSES, vec!["10.0.0.4".parse().unwrap()]);
        ctx.facts.set(&TERMINAL_ENV, BTreeMap::from([("HTTPS_PROXY".to_string(), "http://proxy:3128".to_string())]));
        let declared = Upstream::new(ctx.clone(), HashMap::from([(CheckId::PathDns, None)]));
        assert_eq!(declared.get(&ADDRESSES).map(Vec::len), Some(1), "path.dns declared: its addresses are there");
        assert_eq!(declared.get(&TERMINAL_ENV), None, "env.profile's facts are set, but not declared: they cannot be read");
        let nothing = Upstream::new(ctx.clone(), HashMap::new());
        assert!(nothing.get(&ADDRESSES).is_none() && nothing.get(&TERMINAL_ENV).is_none());
        assert!(!nothing.is_planned(CheckId::FoundryConfig));
    }

    #[tokio::test]
    async fn waiting_for_a_check_ends_when_it_ends_or_at_once_when_it_cannot() {
        let ctx = ctx();
        let (tx, rx) = watch::channel(None::<Status>);
        let up = Upstream::new(ctx.clone(), HashMap::from([(CheckId::FoundryConfig, Some(rx)), (CheckId::EnvProfile, None)]));
        assert!(up.is_planned(CheckId::FoundryConfig) && !up.is_planned(CheckId::EnvProfile));
        let soon = Instant::now() + std::time::Duration::from_millis(50);
        assert!(!up.settled_by(CheckId::FoundryConfig, soon).await, "still running: the wait ends at its limit");
        assert!(up.settled(CheckId::EnvProfile).await, "declared but not in this run: nothing to wait for");
        let started = Instant::now();
        assert!(!up.settled(CheckId::PathTcp).await, "undeclared: never waited for");
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
        tx.send(Some(Status::Fail)).unwrap();
        assert!(up.settled(CheckId::FoundryConfig).await, "ended (whatever its outcome)");
    }
}
