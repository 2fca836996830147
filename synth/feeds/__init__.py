"""The feeds stage: corpora for load tests and search benchmarks.

Modules: :mod:`~synth.feeds.bulk` (Elasticsearch/OpenSearch ``_bulk`` bodies),
:mod:`~synth.feeds.k6` (flat CSV and JSON rows for k6 and JMeter), :mod:`~synth.feeds.rally`
(Rally tracks and OpenSearch Benchmark workloads), :mod:`~synth.feeds.locust` (disjoint,
deterministic post slices for Locust users).
"""
