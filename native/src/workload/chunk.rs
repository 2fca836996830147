//! One chunk of posts as the evaluation reads it: posting lists (the posts holding each word,
//! tool, link, clean phrase, number and asked-for filter value) and filter columns. A query's
//! candidates are the intersection of its lists; its range and equality checks then run column
//! by column over those candidates only.

use crate::workload::scan::{intern, Cond, HashMap, Probe, Row};

/// A condition on a filter column, keyword values coded: `low <= cell <= high` (an equality has
/// `low == high`). Tool conditions are posting lists, not checks.
#[derive(Clone, Copy)]
pub(crate) struct Check {
    pub column: usize,
    pub low: i64,
    pub high: i64,
}

impl Check {
    pub fn of(cond: &Cond, codes: &mut [HashMap<String, i64>]) -> Option<Check> {
        let (column, low, high) = match cond {
            Cond::Equal { column, value } => (*column, *value, *value),
            Cond::Range { column, low, high } => (*column, *low, *high),
            Cond::Keyword { column, value } => {
                let code = intern(&mut codes[*column], value);
                (*column, code, code)
            }
            Cond::Tool(_) => return None,
        };
        Some(Check { column, low, high })
    }
}

/// The posts of `lists` (each sorted, without repeats) that are in all of them, in order.
pub(crate) fn intersect(lists: &mut [&[u32]], out: &mut Vec<u32>) {
    lists.sort_unstable_by_key(|l| l.len());
    out.clear();
    out.extend_from_slice(lists[0]);
    for &other in &lists[1..] {
        let mut rest = other;
        out.retain(|&r| {
            rest = &rest[rest.partition_point(|&x| x < r)..];
            rest.first() == Some(&r)
        });
        if out.is_empty() {
            break;
        }
    }
}

/// A chunk as posting lists (the posts holding each word, tool, link, clean phrase and
/// number) and as columns (the numbers, and each filter field's cells).
pub(crate) struct Chunk {
    postings: [Vec<Vec<u32>>; 4],
    by_number: HashMap<i64, Vec<u32>>,
    pub numbers: Vec<i64>,
    columns: Vec<Vec<i64>>,
    /// For the columns an equality asks about: the posts holding each value.
    by_value: Vec<Option<HashMap<i64, Vec<u32>>>>,
}

const WORDS: usize = 0;
const TOOLS: usize = 1;
const LINKS: usize = 2;
const PHRASES: usize = 3;

impl Chunk {
    pub fn of(rows: &[Row], sizes: [usize; 4], eq_columns: &[bool]) -> Self {
        let mut postings = sizes.map(|size| vec![Vec::new(); size]);
        let mut by_number: HashMap<i64, Vec<u32>> = HashMap::default();
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32;
            let ids = [&row.words, &row.tools, &row.links, &row.phrases];
            for (lists, ids) in postings.iter_mut().zip(ids) {
                for &id in ids {
                    let list = &mut lists[id as usize];
                    if list.last() != Some(&r) {
                        list.push(r);
                    }
                }
            }
            by_number.entry(row.number).or_default().push(r);
        }
        let columns: Vec<Vec<i64>> = (0..eq_columns.len())
            .map(|c| rows.iter().map(|row| row.cells[c]).collect())
            .collect();
        let by_value = columns
            .iter()
            .zip(eq_columns)
            .map(|(column, &eq)| eq.then(|| grouped(column)))
            .collect();
        let numbers = rows.iter().map(|row| row.number).collect();
        Chunk {
            postings,
            by_number,
            numbers,
            columns,
            by_value,
        }
    }

    /// The posting lists of the probe's words, phrase, link, number and tools.
    pub fn lists<'a>(&'a self, probe: &Probe, out: &mut Vec<&'a [u32]>) {
        static EMPTY: Vec<u32> = Vec::new();
        out.clear();
        let list = |kind: usize, id: u32| self.postings[kind][id as usize].as_slice();
        out.extend(probe.terms.iter().map(|&t| list(WORDS, t)));
        out.extend(probe.phrase.map(|p| list(PHRASES, p)));
        out.extend(probe.link.map(|l| list(LINKS, l)));
        out.extend(
            probe
                .number
                .map(|n| self.by_number.get(&n).unwrap_or(&EMPTY).as_slice()),
        );
        out.extend(probe.conds.iter().filter_map(|c| match c {
            Cond::Tool(t) => Some(list(TOOLS, *t)),
            _ => None,
        }));
    }

    /// The shortest list of posts holding the value an equality of `checks` asks for.
    pub fn narrowest(&self, checks: &[Check]) -> Option<&[u32]> {
        static EMPTY: Vec<u32> = Vec::new();
        let lists = checks.iter().filter(|c| c.low == c.high).map(|c| {
            let groups = self.by_value[c.column].as_ref();
            groups
                .and_then(|g| g.get(&c.low))
                .unwrap_or(&EMPTY)
                .as_slice()
        });
        lists.min_by_key(|l| l.len())
    }

    /// The `candidates` that pass every check, column by column, into `kept`.
    pub fn keep(&self, candidates: &[u32], checks: &[Check], kept: &mut Vec<u32>) {
        kept.clear();
        kept.extend_from_slice(candidates);
        for check in checks {
            let column = &self.columns[check.column];
            kept.retain(|&r| (check.low..=check.high).contains(&column[r as usize]));
            if kept.is_empty() {
                return;
            }
        }
    }
}

/// The posts (indices) holding each value of `column`.
fn grouped(column: &[i64]) -> HashMap<i64, Vec<u32>> {
    let mut groups: HashMap<i64, Vec<u32>> = HashMap::default();
    for (r, &value) in column.iter().enumerate() {
        groups.entry(value).or_default().push(r as u32);
    }
    groups
}
