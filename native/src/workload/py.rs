//! The Python side of the workload scan: `Scanner` and `tokenize` in `synth._native`
//! (their adapter is `synth.workload.native`).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::workload::post::Kind;
use crate::workload::scan::{self, Cond, Config, Probe};
use crate::workload::tokens::{self, Listed};

/// (kind, column or tool, keyword value, low or value, high)
type RawCond = (String, usize, Option<String>, i64, i64);
/// (terms, phrase, conds, number, link)
type RawProbe = (
    Vec<u32>,
    Option<u32>,
    Vec<RawCond>,
    Option<i64>,
    Option<u32>,
);

fn cond((kind, column, text, low, high): RawCond) -> PyResult<Cond> {
    Ok(match (kind.as_str(), text) {
        ("keyword", Some(value)) => Cond::Keyword { column, value },
        ("eq", None) => Cond::Equal { column, value: low },
        ("range", None) => Cond::Range { column, low, high },
        ("tool", None) => Cond::Tool(column as u32),
        _ => return Err(PyValueError::new_err(format!("unknown condition {kind:?}"))),
    })
}

fn kind(name: &str) -> PyResult<Kind> {
    match name {
        "keyword" => Ok(Kind::Keyword),
        "integer" => Ok(Kind::Integer),
        "date" => Ok(Kind::Date),
        _ => Err(PyValueError::new_err(format!(
            "unknown field kind {name:?}"
        ))),
    }
}

/// The scan of the posts the native reader takes (see `native/src/workload/scan.rs`).
#[pyclass(module = "synth._native")]
struct Scanner {
    inner: scan::Scanner,
}

#[pymethods]
impl Scanner {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        words: Vec<String>,
        phrases: Vec<Vec<u32>>,
        tools: Vec<String>,
        links: Vec<String>,
        fields: Vec<(Vec<String>, String)>,
        probes: Vec<RawProbe>,
        max_ids: usize,
    ) -> PyResult<Self> {
        let fields = fields
            .into_iter()
            .map(|(path, name)| Ok((path, kind(&name)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let probes = probes
            .into_iter()
            .map(|(terms, phrase, conds, number, link)| {
                let conds = conds.into_iter().map(cond).collect::<PyResult<Vec<_>>>()?;
                Ok(Probe {
                    terms,
                    phrase,
                    conds,
                    number,
                    link,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let bounds = |n: usize| move |i: u32| (i as usize) < n;
        for p in &probes {
            let conds_ok = p.conds.iter().all(|c| match c {
                Cond::Tool(t) => bounds(tools.len())(*t),
                Cond::Equal { column, .. }
                | Cond::Range { column, .. }
                | Cond::Keyword { column, .. } => *column < fields.len(),
            });
            if !(p.terms.iter().all(|&t| bounds(words.len())(t))
                && p.phrase.is_none_or(bounds(phrases.len()))
                && p.link.is_none_or(bounds(links.len()))
                && conds_ok)
            {
                return Err(PyValueError::new_err(
                    "a probe names an unknown word, phrase, tool, link or field",
                ));
            }
        }
        if phrases.iter().flatten().any(|&w| !bounds(words.len())(w)) {
            return Err(PyValueError::new_err("a phrase names an unknown word"));
        }
        let config = Config {
            words,
            phrases,
            tools,
            links,
            fields,
            probes,
            max_ids,
        };
        Ok(Scanner {
            inner: scan::Scanner::new(config).map_err(PyValueError::new_err)?,
        })
    }

    /// Reads posts (JSON bytes, the GIL released): the indices of those Python must read, and
    /// the dirty segments not reported before.
    fn add(&mut self, py: Python<'_>, lines: Vec<Bound<'_, PyBytes>>) -> (Vec<usize>, Vec<String>) {
        let slices: Vec<&[u8]> = lines.iter().map(|b| b.as_bytes()).collect();
        let inner = &mut self.inner;
        py.detach(|| {
            let (mut refused, mut dirty) = (Vec::new(), Vec::new());
            for (i, line) in slices.iter().enumerate() {
                if !inner.add(line, &mut dirty) {
                    refused.push(i);
                }
            }
            (refused, dirty)
        })
    }

    /// The ids of the posts read and not evaluated yet, in order.
    fn pending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.pending())
    }

    /// Evaluates every query over the pending posts; `hashes`: 16 bytes each, little-endian.
    fn evaluate(&mut self, py: Python<'_>, hashes: &[u8]) -> PyResult<()> {
        if hashes.len() % 16 != 0 {
            return Err(PyValueError::new_err("hashes are 16 bytes each"));
        }
        let hashes: Vec<u128> = hashes
            .chunks_exact(16)
            .map(|c| u128::from_le_bytes(c.try_into().expect("16 bytes")))
            .collect();
        let inner = &mut self.inner;
        py.detach(|| inner.evaluate(&hashes))
            .map_err(PyValueError::new_err)
    }

    /// Per query: (count, sum of the id hashes mod 2^128, post numbers as int64 bytes or None, hash).
    #[allow(clippy::type_complexity)]
    fn answers<'py>(
        &self,
        py: Python<'py>,
    ) -> Vec<(u64, u128, Option<Bound<'py, PyBytes>>, Option<String>)> {
        let bytes = |n: &Vec<i64>| {
            PyBytes::new(
                py,
                &n.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>(),
            )
        };
        let answers = self.inner.answers.iter();
        answers
            .map(|a| {
                (
                    a.count,
                    a.sum,
                    a.numbers.as_ref().map(bytes),
                    a.hash.clone(),
                )
            })
            .collect()
    }

    /// The word ids seen in hyphenated segments.
    fn hyphen(&self) -> Vec<usize> {
        (0..self.inner.hyphen.len())
            .filter(|&w| self.inner.hyphen[w])
            .collect()
    }

    /// The phrases with a match an engine could answer differently.
    fn unsafe_phrases(&self) -> Vec<usize> {
        let marks = &self.inner.unsafe_phrases;
        (0..marks.len()).filter(|&p| marks[p]).collect()
    }

    /// Posts evaluated.
    #[getter]
    fn posts(&self) -> u64 {
        self.inner.posts
    }
}

/// The native tokenizer on one text: (tokens, dirty segments, hyphenated keys), or None when
/// Python must decide it. For the equivalence tests.
#[pyfunction]
fn tokenize(text: &str) -> Option<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut listed = Listed::default();
    tokens::tokenize(text, &mut listed).ok()?;
    Some((listed.tokens, listed.dirty, listed.hyphen))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Scanner>()?;
    m.add_function(wrap_pyfunction!(tokenize, m)?)
}
