"""The generation stage: seeded, deterministic posts, corpora, parts, editions and labelled defects.

Modules: :mod:`~synth.generation.rng` (counter-based draws), :mod:`~synth.generation.streams`
(the registry of random streams), :mod:`~synth.generation.vocab` (pools as data),
:mod:`~synth.generation.plan` (every decision of a batch), :mod:`~synth.generation.assemble`
(posts from their plans), :mod:`~synth.generation.corpus` (writing chunks in order, on many
cores), :mod:`~synth.generation.writer` (``write_corpus``), :mod:`~synth.generation.manifest`
and :mod:`~synth.generation.parts` (partitioned corpora, Dask), :mod:`~synth.generation.defects`
(the labelled invalid corpus), :mod:`~synth.generation.edition` (editions for sync tests).

The package is called ``generation``, not ``generate``, so that it never hides the function
:func:`synth.generate`.
"""
