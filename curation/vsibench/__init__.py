"""VSI-Bench, the benchmark the paper reports: its questions as our programs.

Owns reading the benchmark's files (`annotations`: questions, VSI-Bench-Debiased's pruned
ids), parsing each question back into a task and its categories (`parse`), turning it into
the proposer's own program (`plan`), the label audit (`audit`) with the margin that explains
each disagreement (`margins`), and the benchmark as an eval set (`evalset`).
"""
