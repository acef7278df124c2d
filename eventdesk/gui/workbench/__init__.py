"""The mappings workbench (Tools › Field mappings, Ctrl+M): sample | rule | result side by side.

Modules: ``editor`` (the dialog that composes the panes and keeps the draft), ``draft`` (pure
edits of a mappings document), ``entry_path`` (where a ``MappingsError`` points), ``candidate_list``
and ``mapping_form`` (the form), ``sample_pane``, ``result_pane`` (normalized result and provenance),
``preview_pane`` (the draft against history), ``versions_pane`` (publish, history, rollback),
``apply_pane`` (dry run, then the cancellable re-normalization and its audit), ``latest_job``.
"""
