//! A map kept as a list sorted by key, for the engine's small maps: a lesson's hosts, a host's
//! sockets, a script's variables.
//!
//! With a handful of entries a sorted list is as quick as a B-tree, and far smaller in the page:
//! every kind of key and value a `BTreeMap` holds brings its own copy of the B-tree's code, several
//! KB of wasm each. It goes through its entries in key order, as a `BTreeMap` does, so runs do not
//! change. Inserting and removing move the entries after the key, so big values go in boxes (the
//! links' packets in flight): then a thousand entries move as 16 KB of pointers.

use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        SortedMap::default()
    }

    /// Where `key` is, or where it would go.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(other, _)| other.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let index = self.find(key).ok()?;
        Some(&self.entries[index].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let index = self.find(key).ok()?;
        Some(&mut self.entries[index].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`, answering the value it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(index) => Some(std::mem::replace(&mut self.entries[index].1, value)),
            Err(index) => {
                self.entries.insert(index, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let index = self.find(key).ok()?;
        Some(self.entries.remove(index).1)
    }

    /// The entries in key order.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Keeps the entries for which `keep` says so, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(key, value)| keep(key, value));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, value)| value)
    }
}

/// `map[key]`, for a key that must be there.
impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("the key is in the map")
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SortedMap::new();
        for (key, value) in entries {
            map.insert(key, value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;

    #[test]
    fn keeps_one_value_per_key_in_key_order() {
        let mut map = SortedMap::new();
        for (key, value) in [("c", 3), ("a", 1), ("b", 2)] {
            assert_eq!(map.insert(key.to_string(), value), None);
        }
        assert_eq!(map.insert("a".to_string(), 10), Some(1));
        let entries: Vec<(&str, i32)> = map.iter().map(|(key, &value)| (key.as_str(), value)).collect();
        assert_eq!(entries, [("a", 10), ("b", 2), ("c", 3)]);
        assert_eq!(map.get("b"), Some(&2));
        assert!(map.contains_key("c") && !map.contains_key("d"));
        *map.get_mut("c").unwrap() += 1;
        assert_eq!(map.remove("c"), Some(4));
        assert_eq!(map.remove("c"), None);
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [10, 2]);
    }

    #[test]
    fn iterates_as_a_btree_map_does() {
        let keys = [7u32, 3, 9, 1, 3, 8, 2];
        let sorted: SortedMap<u32, usize> = keys.iter().enumerate().map(|(index, &key)| (key, index)).collect();
        let btree: std::collections::BTreeMap<u32, usize> =
            keys.iter().enumerate().map(|(index, &key)| (key, index)).collect();
        assert!(sorted.iter().eq(btree.iter()));
    }

    #[test]
    fn keeps_what_retain_keeps_in_order_and_clears() {
        let mut map: SortedMap<u32, u32> = (1..=6).map(|key| (key, key * 10)).collect();
        map.retain(|key, value| {
            *value += 1;
            key % 2 == 0
        });
        assert_eq!(map.iter().map(|(&key, &value)| (key, value)).collect::<Vec<_>>(), [(2, 21), (4, 41), (6, 61)]);
        map.clear();
        assert_eq!(map.iter().count(), 0);
    }
}
