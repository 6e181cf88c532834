"""Everything between the edges and the deterministic core that touches time or disk.

``clock`` stamps, ``sequencer`` orders and acknowledges, ``journal`` and
``snapshot`` persist, ``recovery`` rebuilds, ``verify`` inspects read-only,
``bench`` measures the journal. See docs/adr/0004-journal-and-recovery.md.
"""
