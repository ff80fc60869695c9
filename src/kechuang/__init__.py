"""Kechuang (科创): a city's science and technology innovation services on one platform."""

__version__ = "0.1.0"
