"""The live board: one responder's view of one incident (``screen.BoardScreen``) and the parts
it owns -- the action table and its one runner (``action_table``, ``action_row``,
``checklist_actions``, ``controller``), joining and following the store (``following``), and
drawing what each event touched (``drawing``).

Above ``tui.screens`` (the forms, dialogs and screens the board pushes) and ``tui.widgets``,
which import nothing of it; the lobby and the App push the board. Empty on purpose: importing a
part loads only that part.
"""
