"""Scenes and what a camera sees of them.

Owns the scene as a QA program reads it (`metadata`: VSI-Bench's format, validated), the
procedural rooms the CPU solver trains on (`procedural`, `categories`, `room`), and every
way a scene becomes pixels: camera walks (`camera`), the numpy renderer (`render`), the
top-down overview frame (`overview`), per-frame visibility (`visibility`), frames as lake
rows (`frames`) and frames decoded from real videos (`video`). `portable_math` keeps the
renderer's products bit-identical across CPUs.
"""
