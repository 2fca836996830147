//! Line digests for re-imports (`synth.load.rowsource.line_digest` is the reference): the first
//! 128 bits of SHA-256 over a key and a line, as 32 lower-case hex digits.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use sha2::{Digest, Sha256};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `sha256(key + line).hexdigest()[:32]`.
pub fn line_digest(key: &[u8], line: &[u8]) -> [u8; 32] {
    let sum = Sha256::new()
        .chain_update(key)
        .chain_update(line)
        .finalize();
    let mut out = [0u8; 32];
    for (k, byte) in sum.iter().take(16).enumerate() {
        out[2 * k] = HEX[usize::from(byte >> 4)];
        out[2 * k + 1] = HEX[usize::from(byte & 0xf)];
    }
    out
}

/// The digest of each line, computed without the GIL.
#[pyfunction]
fn line_digests<'py>(
    py: Python<'py>,
    key: &[u8],
    lines: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Bound<'py, PyList>> {
    let slices: Vec<&[u8]> = lines.iter().map(|b| b.as_bytes()).collect();
    let sums = py.detach(|| {
        slices
            .iter()
            .map(|line| line_digest(key, line))
            .collect::<Vec<_>>()
    });
    // The digits are ASCII, so always UTF-8.
    let texts = sums
        .iter()
        .map(|sum| PyString::new(py, std::str::from_utf8(sum).unwrap_or_default()));
    PyList::new(py, texts)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(line_digests, m)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_the_first_half_of_sha256_hex() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(
            &line_digest(b"a", b"bc"),
            b"ba7816bf8f01cfea414140de5dae2223"
        );
        assert_eq!(
            &line_digest(b"", b"abc"),
            b"ba7816bf8f01cfea414140de5dae2223"
        );
    }
}
