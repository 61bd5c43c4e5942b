//! Which commands work in this release: the one list that the "not built yet" message is written
//! from, and that a test holds the README's CLI listing and "What works today" table to.

/// Whether a command does its job in this release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Works,
    /// The command accepts its final flags and validates the config, then says it is not built.
    // Every command works since `usage` (#20); kept for the next command that lands before its feature.
    #[allow(dead_code)]
    NotBuilt,
}

/// Every subcommand, in `--help` order.
pub const COMMANDS: &[(&str, Readiness)] = &[
    ("sandbox", Readiness::Works),
    ("login", Readiness::Works),
    ("discover", Readiness::Works),
    ("profile", Readiness::Works),
    ("doctor", Readiness::Works),
    ("usage", Readiness::Works),
    ("setup", Readiness::Works),
    ("secret", Readiness::Works),
];

/// "`sandbox`, `login`, … and `secret`": the commands that work, as a sentence fragment.
pub fn working() -> String {
    let names: Vec<String> = COMMANDS.iter().filter(|(_, r)| *r == Readiness::Works).map(|(n, _)| format!("`{n}`")).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn readme() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
    }

    #[test]
    fn every_subcommand_is_listed_once() {
        let clap: Vec<String> = crate::args::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).filter(|n| n != "help").collect();
        let ours: Vec<String> = COMMANDS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(clap, ours, "COMMANDS must list every subcommand of args.rs, in its order");
    }

    #[test]
    fn the_readme_cli_listing_marks_exactly_the_commands_not_built() {
        let text = readme();
        let listing = text.split("## The CLI").nth(1).and_then(|s| s.split("```").nth(1)).unwrap();
        for (name, readiness) in COMMANDS {
            let prefix = format!("foundry-onboard {name} ");
            let lines: Vec<&str> = listing.lines().filter(|l| l.starts_with(&prefix)).collect();
            assert_eq!(lines.len(), 1, "the README's CLI listing has one line for `{name}`: {lines:?}");
            let marked = lines[0].trim_end().ends_with("(not built yet)");
            assert_eq!(marked, *readiness == Readiness::NotBuilt, "README line for `{name}` says {:?} but the command is {readiness:?}", lines[0]);
            assert!(!listing.contains("(stub)"), "the README's CLI listing still says (stub)");
        }
    }

    #[test]
    fn the_readme_what_works_table_names_the_working_commands() {
        let text = readme();
        let table = text.split("## What works today").nth(1).and_then(|s| s.split("\n## ").next()).unwrap();
        let row = table.lines().find(|l| l.starts_with("| CLI |")).unwrap();
        let expected = format!("{} work.", working());
        assert!(row.contains(&expected), "README's What works today row for the CLI must say {expected:?}: {row}");
        for (name, readiness) in COMMANDS {
            if *readiness == Readiness::NotBuilt {
                assert!(row.contains(&format!("`{name}` is not built yet")), "the CLI row must say `{name}` is not built yet: {row}");
            }
        }
        let intro = text.split("## Quick start").next().unwrap();
        let expected = format!("{} work today", working());
        assert!(intro.contains(&expected), "the README's introduction must say {expected:?}: {intro}");
    }

    #[test]
    fn working_reads_as_a_sentence() {
        assert_eq!(working(), "`sandbox`, `login`, `discover`, `profile`, `doctor`, `usage`, `setup` and `secret`");
    }
}
