//! What the preview's build loop and its server share: the last good build, the last
//! failure, whether a build is running, the pages drawn so far, and a condition variable
//! the event streams wait on for the next change.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::editor::Editor;
use super::pages::{Built, SvgCache};
use super::token::Token;

/// Shared between the build loop and the server's threads.
pub struct Shared {
    /// The secret every address starts with.
    pub token: Token,
    /// The port the server listens on (for the `Host` check).
    pub port: u16,
    /// The editor a click opens, when `--editor` was given.
    pub editor: Option<Editor>,
    state: Mutex<State>,
    changed: Condvar,
}

/// The preview's current state.
#[derive(Default)]
pub struct State {
    /// Counts the changes of state (a build started, finished or failed).
    pub generation: u64,
    /// Whether a build is running.
    pub building: bool,
    /// The last successful build (shown while a later one fails).
    pub built: Option<Arc<Built>>,
    /// The last build's errors, rendered as for the terminal (`None` after a success).
    pub error: Option<String>,
    /// The pages drawn so far.
    pub svgs: SvgCache,
}

impl Shared {
    /// Shared state for a server on `port` with `token`.
    pub fn new(token: Token, port: u16, editor: Option<Editor>) -> Shared {
        Shared { token, port, editor, state: Mutex::new(State::default()), changed: Condvar::new() }
    }

    /// The state, locked (a thread that panicked holding it leaves it usable).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Changes the state and wakes the event streams.
    pub fn update(&self, change: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        change(&mut state);
        state.generation += 1;
        drop(state);
        self.changed.notify_all();
    }

    /// Waits until the generation differs from `seen` (or `patience` passes); the current
    /// generation.
    pub fn wait_for_change(&self, seen: u64, patience: Duration) -> u64 {
        let state = self.lock();
        let (state, _) = self.changed.wait_timeout_while(state, patience, |s| s.generation == seen).unwrap_or_else(std::sync::PoisonError::into_inner);
        state.generation
    }

    /// The state as the browser is told it: the pages (hash and size), the error, whether
    /// a build is running and whether a click opens an editor.
    pub fn json(&self) -> serde_json::Value {
        let state = self.lock();
        let pages = state.built.as_ref().map(|b| b.pages.clone()).unwrap_or_default();
        serde_json::json!({
            "generation": state.generation,
            "building": state.building,
            "pages": pages,
            "error": state.error,
            "editor": self.editor.is_some(),
        })
    }
}
