//! `synth._native.Checker` and `synth._native.Accepted`: the check for Python
//! (`synth.validate.native` is the adapter; see `synth/_native.pyi`).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyList, PyString, PyTuple};

use super::rows::{Cell, Children};
use super::{Checker as Inner, Defer, Options, Verdict};

/// A deferred line: not one JSON value (a P finding).
const PARSE: i64 = -1;
/// A deferred line: not a valid post (an S finding, or a repeated key).
const SCHEMA: i64 = -2;

/// A deferred line whose verdict depends on what Python says of a character (C010).
const UNDECIDED: i64 = -3;

/// The native check, built from the spec `synth.schema.spec` derives from the model.
#[pyclass(frozen, module = "synth._native")]
pub struct Checker {
    inner: Inner,
}

/// A valid post: what the next stages need.
#[pyclass(frozen, get_all, module = "synth._native")]
pub struct Accepted {
    /// The post id.
    id: Py<PyString>,
    /// meta.hash (checked when C014 is selected).
    hash: Py<PyString>,
    /// R002's digest of title, intro and sections (12 bytes), when asked for.
    content: Option<Py<PyBytes>>,
    /// similar_posts.
    similar: Py<PyList>,
    /// Failing consistency rules that are not selected (bit n - 1 for Cn).
    failed: u32,
    /// The `posts` row in the checker's column order, when rows were asked for.
    row: Option<Py<PyTuple>>,
    /// (id, position, tool) rows.
    tools: Option<Py<PyList>>,
    /// (id, position, name, type) rows.
    entities: Option<Py<PyList>>,
    /// (id, position, target) rows.
    links: Option<Py<PyList>>,
    /// The rows of posts, tools, entities and links in COPY's text format, when asked for.
    copy: Option<Py<PyTuple>>,
}

fn cell<'py>(py: Python<'py>, cell: &Cell) -> PyResult<Bound<'py, PyAny>> {
    Ok(match cell {
        Cell::Text(s) => PyString::new(py, s).into_any(),
        Cell::Int(n) => i64::try_from(*n)
            .map_err(|_| PyValueError::new_err("an integer beyond 64 bits in a valid post"))?
            .into_pyobject(py)?
            .into_any(),
        Cell::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Cell::Null => py.None().into_bound(py),
    })
}

fn row<'py>(py: Python<'py>, cells: &[Cell]) -> PyResult<Bound<'py, PyTuple>> {
    let items = cells
        .iter()
        .map(|c| cell(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// The child rows as Python tuples: tools, entities, links.
fn children<'py>(
    py: Python<'py>,
    id: &Bound<'py, PyString>,
    kids: &Children,
) -> PyResult<[Bound<'py, PyList>; 3]> {
    let tools = kids
        .tools
        .iter()
        .enumerate()
        .map(|(k, t)| (id, k, t).into_pyobject(py));
    let entities =
        (kids.entities.iter().enumerate()).map(|(k, (n, t))| (id, k, n, t).into_pyobject(py));
    let links = kids
        .links
        .iter()
        .enumerate()
        .map(|(k, t)| (id, k, t).into_pyobject(py));
    Ok([
        PyList::new(py, tools.collect::<PyResult<Vec<_>>>()?)?,
        PyList::new(py, entities.collect::<PyResult<Vec<_>>>()?)?,
        PyList::new(py, links.collect::<PyResult<Vec<_>>>()?)?,
    ])
}

fn answer(py: Python<'_>, verdict: Verdict) -> PyResult<Bound<'_, PyAny>> {
    let accepted = match verdict {
        Verdict::Defer(Defer::Parse) => return Ok(PARSE.into_pyobject(py)?.into_any()),
        Verdict::Defer(Defer::Schema) => return Ok(SCHEMA.into_pyobject(py)?.into_any()),
        Verdict::Defer(Defer::Undecided(_)) => return Ok(UNDECIDED.into_pyobject(py)?.into_any()),
        Verdict::Defer(Defer::Rules(mask)) => {
            return Ok(i64::from(mask).into_pyobject(py)?.into_any())
        }
        Verdict::Accept(accepted) => accepted,
    };
    let id = PyString::new(py, &accepted.id);
    let mut answer = Accepted {
        id: id.clone().unbind(),
        hash: PyString::new(py, &accepted.hash).unbind(),
        content: accepted.content.map(|c| PyBytes::new(py, &c).unbind()),
        similar: PyList::new(py, &accepted.similar)?.unbind(),
        failed: accepted.failed,
        row: None,
        tools: None,
        entities: None,
        links: None,
        copy: None,
    };
    if let Some((cells, kids)) = &accepted.rows {
        let [tools, entities, links] = children(py, &id, kids)?;
        answer.row = Some(row(py, cells)?.unbind());
        (answer.tools, answer.entities, answer.links) = (
            Some(tools.unbind()),
            Some(entities.unbind()),
            Some(links.unbind()),
        );
    }
    if let Some(parts) = &accepted.copy {
        let parts = parts.iter().map(|b| PyBytes::new(py, b));
        answer.copy = Some(PyTuple::new(py, parts)?.unbind());
    }
    Ok(Bound::new(py, answer)?.into_any())
}

#[pymethods]
impl Checker {
    /// `spec`: the JSON of `synth.schema.spec.native_spec()`; `columns`: the `posts` columns
    /// of the rows (`synth.load.rows.COLUMNS`), empty when no rows are wanted.
    #[new]
    #[pyo3(signature = (spec, columns=Vec::new()))]
    fn new(spec: &[u8], columns: Vec<String>) -> PyResult<Self> {
        let inner = Inner::new(spec, &columns)
            .map_err(|e| PyValueError::new_err(format!("checker spec: {e}")))?;
        Ok(Checker { inner })
    }

    /// The verdict on each line: an `Accepted`, or an int when the line is deferred to the
    /// Python path: -1 (parse), -2 (schema), -3 (a rule Python decides), or the mask of the selected C rules that fail.
    /// The GIL is released while the lines are checked.
    #[allow(clippy::too_many_arguments)] // keyword-only options of one Python method
    #[pyo3(signature = (lines, *, as_of, select, content=false, rows=false, copy=false))]
    fn check_lines<'py>(
        &self,
        py: Python<'py>,
        lines: Vec<Bound<'py, PyBytes>>,
        as_of: String,
        select: u32,
        content: bool,
        rows: bool,
        copy: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let options = Options {
            select,
            as_of,
            content,
            rows: rows || copy,
            copy,
        };
        if options.rows && self.inner.columns.is_empty() {
            return Err(PyValueError::new_err(
                "rows need a checker built with the columns",
            ));
        }
        let slices: Vec<&[u8]> = lines.iter().map(|b| b.as_bytes()).collect();
        let inner = &self.inner;
        let verdicts = py.detach(|| {
            let mut scratch = super::Scratch::default();
            slices
                .iter()
                .map(|line| inner.check(line, &options, &mut scratch))
                .collect::<Vec<_>>()
        });
        let answers = verdicts
            .into_iter()
            .map(|v| answer(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, answers)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Checker>()?;
    m.add_class::<Accepted>()?;
    m.add("DEFER_PARSE", PARSE)?;
    m.add("DEFER_SCHEMA", SCHEMA)?;
    m.add("DEFER_UNDECIDED", UNDECIDED)?;
    Ok(())
}
