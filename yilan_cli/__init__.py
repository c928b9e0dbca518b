"""yilan — the supervision office's ledger (督办台账) tool."""

__version__ = "0.1.0"
