"""The testing stage: what synth gives a test suite.

Modules: :mod:`~synth.testing.pytest_plugin` (fixtures; registered through the ``pytest11``
entry point as :mod:`synth.pytest_plugin`), :mod:`~synth.testing.factory` (posts with
consistent overrides), :mod:`~synth.testing.strategies` (hypothesis strategies, also at
:mod:`synth.strategies`), :mod:`~synth.testing.fixtures` (the golden fixture files).
"""
