//! How far a long command is, on stderr: on a terminal a bar with the
//! counts and an ETA (indicatif), redrawn in place; otherwise plain lines
//! (a log file, a CI job, a pipe), one at each tenth of the work and at
//! least every [`LINE_EVERY`], and one when it ends. Never on stdout,
//! which scripts read.

use std::io::{IsTerminal, Read, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The longest a plain progress line waits while work goes on.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// One command's progress: `done` of `total` (if known) `unit`.
pub struct Progress {
    what: &'static str,
    unit: &'static str,
    total: Option<u64>,
    shown: Shown,
}

enum Shown {
    Bar(ProgressBar),
    Lines(Mutex<Lines>),
}

struct Lines {
    done: u64,
    started: Instant,
    last_line: Instant,
    /// The last tenth of `total` a line was printed at.
    last_tenth: u64,
}

impl Progress {
    /// Progress of `what` (the command's name, prefixing each line) in
    /// `unit` ("sources", "stories", or "bytes", shown as sizes).
    pub fn new(what: &'static str, unit: &'static str, total: Option<u64>) -> Progress {
        let shown = if std::io::stderr().is_terminal() {
            Shown::Bar(bar(what, unit, total))
        } else {
            let now = Instant::now();
            Shown::Lines(Mutex::new(Lines {
                done: 0,
                started: now,
                last_line: now,
                last_tenth: 0,
            }))
        };
        Progress {
            what,
            unit,
            total,
            shown,
        }
    }

    /// `n` more done.
    pub fn inc(&self, n: u64) {
        match &self.shown {
            Shown::Bar(bar) => bar.inc(n),
            Shown::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                let done = lines.done + n;
                self.advance(&mut lines, done);
            }
        }
    }

    /// `done` done so far.
    pub fn set(&self, done: u64) {
        match &self.shown {
            Shown::Bar(bar) => bar.set_position(done),
            Shown::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                self.advance(&mut lines, done);
            }
        }
    }

    fn advance(&self, lines: &mut Lines, done: u64) {
        if done == lines.done {
            return;
        }
        lines.done = done;
        let tenth = self.total.filter(|&t| t > 0).map(|t| done * 10 / t);
        let now = Instant::now();
        let due = tenth.is_some_and(|t| t > lines.last_tenth)
            || now.duration_since(lines.last_line) >= LINE_EVERY;
        // The last step is the closing line's.
        if due && self.total != Some(done) {
            lines.last_tenth = tenth.unwrap_or(lines.last_tenth);
            lines.last_line = now;
            self.line(lines, "");
        }
    }

    /// `export: 120/500 stories (24%), 3 s, about 9 s left`.
    fn line(&self, lines: &Lines, end: &str) {
        let elapsed = lines.started.elapsed();
        let mut text = format!("{}: {}", self.what, self.count(lines.done));
        if let Some(total) = self.total {
            text.push_str(&format!("/{} {}", self.count(total), self.unit));
            if let Some(percent) = (lines.done * 100).checked_div(total) {
                text.push_str(&format!(" ({percent}%)"));
            }
        } else {
            text.push_str(&format!(" {}", self.unit));
        }
        text.push_str(&format!(", {:.1} s", elapsed.as_secs_f64()));
        match self.total {
            Some(total) if end.is_empty() && lines.done > 0 && lines.done < total => {
                let left = elapsed.as_secs_f64() * (total - lines.done) as f64 / lines.done as f64;
                text.push_str(&format!(", about {left:.0} s left"));
            }
            _ => {}
        }
        text.push_str(end);
        // A closed stderr must not fail the command: the work goes on.
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    fn count(&self, n: u64) -> String {
        if self.unit == "bytes" {
            indicatif::BinaryBytes(n).to_string()
        } else {
            n.to_string()
        }
    }

    /// The work is over: the bar goes, a closing line stays.
    pub fn finish(&self) {
        match &self.shown {
            Shown::Bar(bar) => bar.finish_and_clear(),
            Shown::Lines(lines) => {
                let lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                self.line(&lines, ", done");
            }
        }
    }
}

fn bar(what: &'static str, unit: &'static str, total: Option<u64>) -> ProgressBar {
    let counts = if unit == "bytes" {
        "{binary_bytes}/{binary_total_bytes}".to_string()
    } else {
        format!("{{human_pos}}/{{human_len}} {unit}")
    };
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::new(total),
            format!("{{prefix}} [{{bar:30}}] {counts} ({{percent}}%), {{eta}} left {{msg}}"),
        ),
        None => (
            ProgressBar::no_length(),
            if unit == "bytes" {
                "{prefix} {spinner} {binary_bytes}, {elapsed} {msg}".to_string()
            } else {
                format!("{{prefix}} {{spinner}} {{human_pos}} {unit}, {{elapsed}} {{msg}}")
            },
        ),
    };
    let style = ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.set_style(style);
    bar.set_prefix(what);
    // The ETA and the spinner move while one long item is in hand.
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A writer that counts the lines written through it on `progress`: an
/// export writes one story a line.
pub struct CountLines<'a, W> {
    pub inner: W,
    pub progress: &'a Progress,
}

impl<W: Write> Write for CountLines<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
        if lines > 0 {
            self.progress.inc(lines as u64);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that counts the bytes read through it on `progress`: an
/// import's progress is how far into its file it is.
pub struct CountBytes<'a, R> {
    pub inner: R,
    pub progress: &'a Progress,
}

impl<R: Read> Read for CountBytes<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}
