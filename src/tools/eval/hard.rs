//! The hard negatives of a corpus: labelled groups of different stories
//! built to look alike (shared sentences, a standard opening, one
//! template's bulletins), scored apart from the rest.

use std::collections::HashMap;

use super::corpus::Labels;

/// The hard negatives the labels name, by item index.
pub(super) struct HardNegatives {
    /// Each item's trap groups, as sorted numbers.
    groups: Vec<Vec<u32>>,
    /// Each group's items.
    members: Vec<Vec<usize>>,
    /// `must_not_merge` pairs, smaller index first.
    listed: std::collections::HashSet<(usize, usize)>,
    /// Items of a listed pair.
    listed_items: std::collections::HashSet<usize>,
}

impl HardNegatives {
    pub(super) fn of(labels: &Labels) -> HardNegatives {
        let mut names: HashMap<&str, u32> = HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut groups = Vec::with_capacity(labels.items.len());
        for (i, label) in labels.items.iter().enumerate() {
            let mut mine: Vec<u32> = label
                .traps
                .iter()
                .map(|t| {
                    let next = names.len() as u32;
                    *names.entry(t.as_str()).or_insert(next)
                })
                .collect();
            mine.sort_unstable();
            mine.dedup();
            for &g in &mine {
                if members.len() <= g as usize {
                    members.resize(g as usize + 1, Vec::new());
                }
                members[g as usize].push(i);
            }
            groups.push(mine);
        }
        let index: HashMap<&str, usize> = labels
            .items
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), i))
            .collect();
        let mut listed = std::collections::HashSet::new();
        let mut listed_items = std::collections::HashSet::new();
        for names in &labels.must_not_merge {
            if let [a, b, ..] = names.as_slice() {
                if let (Some(&i), Some(&j)) = (index.get(a.as_str()), index.get(b.as_str())) {
                    listed.insert((i.min(j), i.max(j)));
                    listed_items.extend([i, j]);
                }
            }
        }
        HardNegatives {
            groups,
            members,
            listed,
            listed_items,
        }
    }

    /// Whether two items (`i < j`) of different stories are a hard
    /// negative.
    pub(super) fn pairs(&self, i: usize, j: usize) -> bool {
        self.listed.contains(&(i, j)) || self.first_shared(i, j).is_some()
    }

    pub(super) fn first_shared(&self, i: usize, j: usize) -> Option<u32> {
        self.groups[i]
            .iter()
            .find(|g| self.groups[j].binary_search(g).is_ok())
            .copied()
    }

    /// Whether an item has any hard negative: it is in a group with an
    /// item of another story, or in a listed pair.
    pub(super) fn has_item(&self, i: usize) -> bool {
        self.listed_items.contains(&i) || !self.groups[i].is_empty()
    }

    pub(super) fn items(&self) -> usize {
        (0..self.groups.len()).filter(|&i| self.has_item(i)).count()
    }

    /// Hard-negative pairs: listed ones, and pairs of different stories
    /// in a group, each counted once (under the first group they share).
    pub(super) fn count(&self, same: &impl Fn(usize, usize) -> bool) -> usize {
        let mut n = self.listed.iter().filter(|&&(i, j)| !same(i, j)).count();
        for (g, members) in self.members.iter().enumerate() {
            for (k, &i) in members.iter().enumerate() {
                for &j in &members[k + 1..] {
                    let (i, j) = (i.min(j), i.max(j));
                    if !same(i, j)
                        && self.first_shared(i, j) == Some(g as u32)
                        && !self.listed.contains(&(i, j))
                    {
                        n += 1;
                    }
                }
            }
        }
        n
    }
}
