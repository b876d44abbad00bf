"""physlab — a desktop simulation lab for the physics of learning."""
__version__ = "0.1.0"
