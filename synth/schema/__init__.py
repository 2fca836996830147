"""The schema stage: the pydantic model (the contract), the content hash, the JSON Schema export
and the search-engine mapping derived from the model.

Modules: :mod:`~synth.schema.model`, :mod:`~synth.schema.hash`, :mod:`~synth.schema.order` (the
key order of canonical bytes), :mod:`~synth.schema.export`, :mod:`~synth.schema.paths`,
:mod:`~synth.schema.mapping`, :mod:`~synth.schema.constants`, :mod:`~synth.schema.spec` and
:mod:`~synth.schema.frozen` (the native check's spec, derived and as exported).
Importing this package loads nothing else: the generator uses the hash without pydantic.
"""
