"""Service functions front ends share beyond the composition root (``eventdesk.app``)."""
