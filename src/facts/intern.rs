//! One string table for a run: the facts of a million objects name the same
//! kinds, namespaces and labels over and over, so each distinct string is kept
//! once and facts hold a 4-byte [`Sym`].
//!
//! Files are read on several threads at once, so the table is sharded by hash,
//! each shard behind its own lock. When every file is read,
//! [`Interner::freeze`] turns it into [`Strings`], read without locks.
//!
//! A `Sym`'s number depends on which thread interned the string first: never
//! order anything by `Sym`, only by the string (output must not depend on
//! thread timing).

use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroU32;
use std::sync::Mutex;

use hashbrown::HashTable;

/// An interned string of one run. Never zero, so that an `Option<Sym>`
/// takes 4 bytes too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sym(NonZeroU32);

impl Sym {
    /// The symbol as a number below `u32::MAX`: for tables keyed by symbols
    /// (never to order anything that output shows).
    pub fn index(self) -> u32 {
        self.0.get() - 1
    }
}

const SHARD_BITS: u32 = 5;
const SHARDS: usize = 1 << SHARD_BITS;

#[derive(Default)]
struct Shard {
    /// Indices into `ends`, hashed by their string.
    table: HashTable<u32>,
    /// Every string of the shard, one after the other.
    text: String,
    /// Where each string ends in `text` (it starts where the previous ends).
    ends: Vec<u32>,
}

/// The table while files are being read (shared by every thread).
pub struct Interner {
    hasher: RandomState,
    shards: Vec<Mutex<Shard>>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Interner {
    pub fn intern(&self, s: &str) -> Sym {
        let hash = self.hasher.hash_one(s);
        let shard_no = (hash as usize) & (SHARDS - 1);
        // A poisoned lock means another thread panicked mid-insert; the
        // table is still consistent (insertions are single pushes).
        let mut guard = match self.shards[shard_no].lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let shard = &mut *guard;
        let found = {
            let (text, ends) = (&shard.text, &shard.ends);
            shard
                .table
                .find(hash, |&i| {
                    let i = i as usize;
                    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
                    &text[start..ends[i] as usize] == s
                })
                .copied()
        };
        let local = match found {
            Some(i) => i,
            None => {
                let i = shard.ends.len() as u32;
                shard.text.push_str(s);
                shard.ends.push(shard.text.len() as u32);
                let (text, ends, hasher) = (&shard.text, &shard.ends, &self.hasher);
                shard.table.insert_unique(hash, i, |&j| {
                    let j = j as usize;
                    let start = if j == 0 { 0 } else { ends[j - 1] as usize };
                    hasher.hash_one(&text[start..ends[j] as usize])
                });
                i
            }
        };
        // The number fits unless a run interns over four billion distinct
        // strings (more text than it could hold).
        let index = (local << SHARD_BITS) | shard_no as u32;
        Sym(NonZeroU32::MIN.saturating_add(index))
    }

    /// Every string interned, readable without locks.
    pub fn freeze(self) -> Strings {
        Strings {
            shards: self
                .shards
                .into_iter()
                .map(|m| {
                    let mut s = m.into_inner().unwrap_or_else(|p| p.into_inner());
                    // In blocks of their size: a run keeps them to its end.
                    super::trim(&mut s.ends);
                    FrozenShard {
                        text: super::exact(s.text),
                        ends: s.ends.into_boxed_slice(),
                    }
                })
                .collect(),
        }
    }
}

struct FrozenShard {
    text: Box<str>,
    ends: Box<[u32]>,
}

/// The strings of a run, once every file is read.
pub struct Strings {
    shards: Vec<FrozenShard>,
}

impl Strings {
    pub fn get(&self, sym: Sym) -> &str {
        let index = sym.index();
        let shard = &self.shards[(index as usize) & (SHARDS - 1)];
        let i = (index >> SHARD_BITS) as usize;
        let start = if i == 0 {
            0
        } else {
            shard.ends[i - 1] as usize
        };
        &shard.text[start..shard.ends[i] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_string_same_sym_across_threads() {
        let interner = Interner::default();
        let words: Vec<String> = (0..2000).map(|i| format!("w{}", i % 700)).collect();
        let syms: Vec<Vec<Sym>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| words.iter().map(|w| interner.intern(w)).collect()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(syms.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(interner.intern(""), interner.intern(""));
        let strings = interner.freeze();
        for (w, s) in words.iter().zip(&syms[0]) {
            assert_eq!(strings.get(*s), w);
        }
    }
}
