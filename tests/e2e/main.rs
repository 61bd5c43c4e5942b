//! End-to-end tests, one binary with modules: the real CLI binary, the sandbox over loopback,
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests
//! the sandbox guard, and the desktop app over WebDriver under Xvfb.

mod arm;
mod azure;
mod claude;
mod cli;
mod config_files;
mod doctor;
mod foundry;
mod guard;
mod gui;
mod hardening_net;
mod hostile_values;
mod keyring;
mod package;
mod profile;
mod profile_files;
mod sandbox;
mod sandbox_faults;
mod setup;
mod usage;
mod usage_azure;
