//! In-memory sharing within one run: the models of a batch ask for the same ATT&CK release, rule
//! source or atomics folder, and each is loaded once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// A map from keys to loaded values, filled on first use and shared between threads. Values are
/// cheap to clone (usually `Arc`s).
#[derive(Debug)]
pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, V>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// The value for `key`: remembered, or made by `load` and remembered when it succeeds. Two
    /// threads asking at once may both load; the first to finish is kept.
    pub fn get_or_try_insert<E>(&self, key: K, load: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some(hit) = self.get(&key) {
            return Ok(hit);
        }
        let value = load()?;
        Ok(match self.entries.lock() {
            Ok(mut map) => map.entry(key).or_insert(value).clone(),
            Err(_) => value,
        })
    }

    /// The remembered value for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries.lock().ok().and_then(|m| m.get(key).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_once_and_forgets_failures() {
        let memo: Memo<&str, u32> = Memo::default();
        assert_eq!(memo.get_or_try_insert("a", || Err::<u32, &str>("no")), Err("no"));
        assert_eq!(memo.get(&"a"), None);
        assert_eq!(memo.get_or_try_insert("a", || Ok::<u32, ()>(1)), Ok(1));
        assert_eq!(memo.get_or_try_insert("a", || Ok::<u32, ()>(2)), Ok(1), "the first load is kept");
    }
}
