"""xiuhua 绣花 — a platform for digital urban management (数字城管 / 城市精细化管理)."""

__version__ = "0.1.0"
