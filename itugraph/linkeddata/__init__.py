"""Linked data: every IRI itugraph publishes dereferences on the server that serves it.

``urls`` maps IRIs to the server's paths and back (one place, used by every page, header
and test); the other modules describe resources, render them, and write dumps.
"""
