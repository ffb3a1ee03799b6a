"""Plain-text tables (hwprune_edu.util.tables): alignment, padding, no trailing spaces."""

from hwprune_edu.util.tables import format_columns


def test_columns_pad_to_the_widest_cell_and_align_as_asked():
    rows = [("pattern", "acc"), ("2:4", "0.95"), ("unstructured", "1")]
    lines = format_columns(rows, right=(1,)).split("\n")
    assert lines == ["pattern        acc", "2:4           0.95", "unstructured     1"]
    assert len({len(line) for line in lines}) == 1  # right-aligned last column: every line as long


def test_left_aligned_last_column_leaves_no_trailing_spaces():
    text = format_columns([("a", "long header"), ("bb", "x")])
    assert text == "a   long header\nbb  x"
    assert not any(line.endswith(" ") for line in text.split("\n"))
