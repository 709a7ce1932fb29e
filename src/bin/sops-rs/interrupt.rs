//! Holds SIGINT/SIGTERM/SIGHUP back while a temporary output file exists, so
//! the writer can remove it (or finish the rename) before the process ends.
//!
//! Why signal-hook flags with a "conditional default": the handlers are
//! installed once, on the first write, and outside a write window they run the
//! signal's default action (the process dies as it always did), so no command
//! that runs after a write changes how it reacts to Ctrl-C. Inside the window
//! the signal only sets a flag the writer checks between chunks and before the
//! rename. SIGKILL and SIGSTOP cannot be caught; see `output.rs`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

struct Handlers {
    /// True outside write windows: the signal then takes its default action.
    outside: Arc<AtomicBool>,
    /// The last signal seen inside a window (0: none).
    pending: Arc<AtomicUsize>,
}

fn handlers() -> Option<&'static Handlers> {
    static HANDLERS: OnceLock<Option<Handlers>> = OnceLock::new();
    HANDLERS
        .get_or_init(|| {
            let outside = Arc::new(AtomicBool::new(true));
            let pending = Arc::new(AtomicUsize::new(0));
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                let value = usize::try_from(sig).ok()?;
                // The flag first: when the default action runs, nothing is pending anyway.
                signal_hook::flag::register_usize(sig, Arc::clone(&pending), value).ok()?;
                signal_hook::flag::register_conditional_default(sig, Arc::clone(&outside)).ok()?;
            }
            Some(Handlers { outside, pending })
        })
        .as_ref()
}

/// The time a temporary output file exists; closes when dropped.
pub struct Window {
    handlers: Option<&'static Handlers>,
}

impl Window {
    /// Starts holding signals back. If the handlers cannot be installed the
    /// signals keep their default action (a temporary file may then be left,
    /// as with SIGKILL, and is removed by the next write).
    pub fn open() -> Window {
        let handlers = handlers();
        // A pending signal never outlives its window: it ends the process
        // (`close`) or the write (`Error::Interrupted`), so there is nothing to reset.
        if let Some(h) = handlers {
            h.outside.store(false, Ordering::SeqCst);
        }
        Window { handlers }
    }

    /// The signal received since the window opened, if any.
    pub fn pending(&self) -> Option<i32> {
        let h = self.handlers?;
        match h.pending.load(Ordering::SeqCst) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }

    /// Ends the window after a completed rename: a signal that came during the
    /// rename now ends the process as it asked.
    pub fn close(self) {
        if let Some(sig) = self.pending() {
            drop(self);
            let _ = signal_hook::low_level::emulate_default_handler(sig);
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if let Some(h) = self.handlers {
            h.outside.store(true, Ordering::SeqCst);
        }
    }
}

/// Serialises unit tests that open windows: the signal state is process-wide.
#[cfg(test)]
pub static TEST_SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    // Raising a real signal here would race with other tests' windows (one
    // process-wide state); tests/hardening_signals.rs sends real signals.
    #[test]
    fn a_window_reports_the_recorded_signal() {
        let _serial = TEST_SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let w = Window::open();
        assert_eq!(w.pending(), None);
        let h = handlers().unwrap();
        h.pending.store(15, Ordering::SeqCst);
        assert_eq!(w.pending(), Some(15));
        h.pending.store(0, Ordering::SeqCst);
        drop(w);
    }
}
