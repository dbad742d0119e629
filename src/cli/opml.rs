//! `bantin sources` (`--opml`) and `bantin import-opml`: the sources out
//! to a feed reader, and a reader's subscriptions in as `[[source]]`
//! blocks.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use bantin::config::Config;
use bantin::tools::opml;

use super::EXIT_BAD_CONFIG;

pub(super) fn sources(config: &Config, as_opml: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if as_opml {
        out.write_all(&opml::sources(config))?;
    } else {
        for s in &config.sources {
            writeln!(out, "{}\t{}\t{}", s.id, s.name, s.url)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the blocks for `file`'s feeds that `config` lacks; with
/// `append`, adds them to that feeds.toml instead, once the result passes
/// the validation of `bantin check` (else nothing is written, exit 2).
pub(super) fn import(
    config: &Config,
    file: &Path,
    append: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let feeds = opml::read(&bytes).with_context(|| file.display().to_string())?;
    let Some(target) = append else {
        let imported = opml::import(&feeds, config);
        notes(&imported);
        print!("{}", imported.blocks);
        return Ok(ExitCode::SUCCESS);
    };
    let text = std::fs::read_to_string(target)
        .with_context(|| format!("cannot read {}", target.display()))?;
    let existing = match Config::parse(&text, target) {
        Ok(existing) => existing,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "import-opml: {} has errors already; nothing appended",
                target.display()
            );
            return Ok(ExitCode::from(EXIT_BAD_CONFIG));
        }
    };
    let imported = opml::import(&feeds, &existing);
    notes(&imported);
    if imported.added == 0 {
        println!(
            "no new source in {}; {} unchanged",
            file.display(),
            target.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut appended = text;
    if !appended.ends_with('\n') {
        appended.push('\n');
    }
    appended.push_str(&format!(
        "\n# Imported from {} by `bantin import-opml`.\n",
        file.display()
    ));
    appended.push_str(&imported.blocks);
    if let Err(e) = Config::parse(&appended, target) {
        eprintln!("{e}");
        eprintln!(
            "import-opml: {} would not pass `bantin check` with these sources; nothing appended",
            target.display()
        );
        return Ok(ExitCode::from(EXIT_BAD_CONFIG));
    }
    replace(target, &appended)?;
    println!(
        "appended {} sources to {}",
        imported.added,
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn notes(imported: &opml::Imported) {
    for note in &imported.notes {
        eprintln!("import-opml: {note}");
    }
}

/// Writes beside the file, then renames over it: a daemon watching the
/// file never reloads half of it.
fn replace(target: &Path, text: &str) -> anyhow::Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "feeds.toml".into());
    let aside = target.with_file_name(format!(".{name}.import-opml"));
    std::fs::write(&aside, text).with_context(|| format!("cannot write {}", aside.display()))?;
    std::fs::rename(&aside, target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    Ok(())
}
