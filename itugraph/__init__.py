"""itugraph: the open knowledge graph of the ITU."""
__version__ = "0.1.0"
