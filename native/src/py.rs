//! The Python module `synth._native`: `Engine(data)` with `lines`, `posts` and `images`.

use std::cell::Cell;

use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::engine::{self, Request};
use crate::vocab::{RawSeg, RawStack, RawVocab};

/// The compiled generator of one locale, built from the vocabulary Python hands over.
#[pyclass(frozen, module = "synth._native")]
struct Engine {
    inner: engine::Engine,
}

fn item<'py, T: FromPyObjectOwned<'py>>(data: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    let value = data
        .get_item(key)?
        .ok_or_else(|| PyValueError::new_err(format!("engine data: no {key:?}")))?;
    value
        .extract::<T>()
        .map_err(Into::into)
        .map_err(|err: PyErr| PyValueError::new_err(format!("engine data: {key:?}: {err}")))
}

fn segments<'py>(data: &Bound<'py, PyDict>, key: &str) -> PyResult<Vec<Vec<RawSeg>>> {
    let raw: Vec<Vec<Bound<'py, PyAny>>> = item(data, key)?;
    let segment = |seg: &Bound<'py, PyAny>| match seg.extract::<u8>() {
        Ok(field) => Ok(RawSeg::Field(field)),
        Err(_) => seg.extract::<String>().map(RawSeg::Lit),
    };
    raw.iter()
        .map(|t| t.iter().map(segment).collect())
        .collect()
}

fn stacks(data: &Bound<'_, PyDict>) -> PyResult<Vec<RawStack>> {
    let raw: Vec<(String, String, String, Vec<String>)> = item(data, "stacks")?;
    let stack = |(name, area, language, tools)| RawStack {
        name,
        area,
        language,
        tools,
    };
    Ok(raw.into_iter().map(stack).collect())
}

fn raw_vocab(data: &Bound<'_, PyDict>) -> PyResult<RawVocab> {
    Ok(RawVocab {
        stacks: stacks(data)?,
        problems: item(data, "problems")?,
        scenarios: item(data, "scenarios")?,
        title_templates: segments(data, "title_templates")?,
        intro_templates: segments(data, "intro_templates")?,
        check_paragraphs: segments(data, "check_paragraphs")?,
        final_paragraphs: segments(data, "final_paragraphs")?,
        summary_templates: segments(data, "summary_templates")?,
        checklist_items: item(data, "checklist_items")?,
        brief_templates: item(data, "brief_templates")?,
        recommended_actions: item(data, "recommended_actions")?,
        notes: item(data, "notes")?,
        generic_tools: item(data, "generic_tools")?,
        separator: item(data, "separator")?,
        terminator: item(data, "terminator")?,
        words: item(data, "words")?,
        zipf_table: item(data, "zipf_table")?,
        view_count: item(data, "view_count")?,
        dates: item(data, "dates")?,
        generator: item(data, "generator")?,
        image_host: item(data, "image_host")?,
        schema_version: item(data, "schema_version")?,
        budgets: item(data, "budgets")?,
    })
}

/// Batches are written into one buffer per thread, kept between calls (no page faults on
/// fresh memory for every batch), unless a batch made it larger than this.
const KEEP_BUFFER: usize = 64 << 20;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Runs `write` on this thread's cleared buffer, then `read` on what it wrote.
///
/// The buffer is taken out of its slot meanwhile: Python code that `read` may set off (a
/// finalizer run by the garbage collector) can call the engine again and gets a buffer of its own.
fn buffered<T, R>(write: impl FnOnce(&mut Vec<u8>) -> T, read: impl FnOnce(&[u8], T) -> R) -> R {
    let mut buffer = BUFFER.take();
    buffer.clear();
    let written = write(&mut buffer);
    let result = read(&buffer, written);
    if buffer.capacity() <= KEEP_BUFFER {
        BUFFER.set(buffer);
    }
    result
}

/// An integer argument, any Python int: out-of-range values become a ValueError below.
fn int_arg(value: &Bound<'_, PyAny>, name: &str) -> PyResult<i128> {
    value
        .extract::<i128>()
        .map_err(|_| match value.extract::<Bound<'_, pyo3::types::PyInt>>() {
            Ok(_) => PyValueError::new_err(format!("{name} {value} is out of range")),
            Err(_) => {
                PyValueError::new_err(format!("{name} must be an int, not {}", type_name(value)))
            }
        })
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".into(), |n| n.to_string())
}

fn request(
    seed: &Bound<'_, PyAny>,
    first: &Bound<'_, PyAny>,
    count: &Bound<'_, PyAny>,
    streams: Option<&Bound<'_, PyAny>>,
) -> PyResult<Request> {
    let ids = match streams {
        None => None,
        Some(s) if s.is_none() => None,
        Some(s) => Some(
            s.try_iter()?
                .map(|id| int_arg(&id?, "stream id"))
                .collect::<PyResult<Vec<_>>>()?,
        ),
    };
    let (seed, first, count) = (
        int_arg(seed, "seed")?,
        int_arg(first, "index")?,
        int_arg(count, "count")?,
    );
    Request::new(seed, first, count, ids.as_deref()).map_err(PyValueError::new_err)
}

#[pymethods]
impl Engine {
    #[new]
    fn new(data: &Bound<'_, PyDict>) -> PyResult<Self> {
        let raw = raw_vocab(data)?;
        let inner = engine::Engine::new(&raw)
            .map_err(|e| PyValueError::new_err(format!("engine data: {e}")))?;
        Ok(Engine { inner })
    }

    /// Posts `first .. first + count - 1` as compact JSON, each followed by a newline, in one buffer.
    #[pyo3(signature = (seed, first, count, streams=None))]
    fn lines<'py>(
        &self,
        py: Python<'py>,
        seed: &Bound<'py, PyAny>,
        first: &Bound<'py, PyAny>,
        count: &Bound<'py, PyAny>,
        streams: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let request = request(seed, first, count, streams)?;
        let write = |out: &mut Vec<u8>| py.detach(|| self.inner.lines(&request, out));
        Ok(buffered(write, |data, ()| PyBytes::new(py, data)))
    }

    /// Posts `first .. first + count - 1` as compact JSON, one `bytes` each (no newline).
    #[pyo3(signature = (seed, first, count, streams=None))]
    fn posts<'py>(
        &self,
        py: Python<'py>,
        seed: &Bound<'py, PyAny>,
        first: &Bound<'py, PyAny>,
        count: &Bound<'py, PyAny>,
        streams: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let request = request(seed, first, count, streams)?;
        let write = |out: &mut Vec<u8>| py.detach(|| self.inner.posts(&request, out));
        buffered(write, |data, ends| {
            let starts = std::iter::once(0).chain(ends.iter().copied());
            let posts = starts
                .zip(&ends)
                .map(|(start, &end)| PyBytes::new(py, &data[start..end]));
            PyList::new(py, posts)
        })
    }

    /// The planned number of images of post `index`.
    #[pyo3(signature = (seed, index, streams=None))]
    fn images(
        &self,
        seed: &Bound<'_, PyAny>,
        index: &Bound<'_, PyAny>,
        streams: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let one = 1_i64.into_pyobject(seed.py())?;
        Ok(self
            .inner
            .images(&request(seed, index, one.as_any(), streams)?))
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("STREAMS", crate::plan::STREAMS)?;
    crate::check::py::register(m)?;
    crate::digest::register(m)?;
    crate::workload::register(m)
}
