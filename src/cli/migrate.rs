//! `bantin migrate`: a sled store moved to redb, in place, with the
//! daemon stopped ([`bantin::store::migrate`]).

use std::process::ExitCode;

use bantin::config::Config;
use bantin::store::migrate::{self, Migrated};

use super::progress::Progress;

pub(super) fn migrate(config: &Config) -> anyhow::Result<ExitCode> {
    let path = &config.store.path;
    // Made at the first count, when the total is known.
    let progress = std::cell::OnceCell::new();
    let migrated = migrate::to_redb(path, config.store.cache, &|done, total| {
        progress
            .get_or_init(|| Progress::new("migrate", "entries", Some(total)))
            .set(done);
    });
    if let Some(progress) = progress.get() {
        progress.finish();
    }
    match migrated? {
        Migrated::Already => println!("{} is not a sled store: nothing to move", path.display()),
        Migrated::Moved { entries, sled_kept } => {
            println!(
                "moved {entries} entries of {} to redb; sled's files are in {}, to remove once the daemon runs well on the new store",
                path.display(),
                sled_kept.display()
            );
            if config.store.engine == Some(bantin::config::Engine::Sled) {
                println!(
                    "remove `engine = \"sled\"` from [store] in {}: the store is redb's now",
                    config.path.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
