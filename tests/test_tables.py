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


def test_preformatted_is_a_str_that_jupyter_shows_unwrapped_and_unquoted():
    from IPython.core.formatters import DisplayFormatter

    from hwprune_edu.util.tables import Preformatted

    text = Preformatted("model  acc\nmlp    <0.75> & more")
    assert isinstance(text, str) and text == "model  acc\nmlp    <0.75> & more" and text.splitlines()[0] == "model  acc"
    assert "mlp" in text and (text + "!").endswith("!") and repr(text) == str(text)
    shown, _ = DisplayFormatter().format(text)
    assert shown["text/plain"] == "model  acc\nmlp    <0.75> & more"  # IPython would quote a plain str's repr
    assert shown["text/html"] == ('<pre style="white-space: pre; overflow-x: auto">model  acc\n'
                                  'mlp    &lt;0.75&gt; &amp; more</pre>')


def test_the_studys_wide_tables_are_preformatted():
    from hwprune_edu.studies.study_results import Study, StudyRun
    from hwprune_edu.util.tables import Preformatted

    run = StudyRun("mlp", "cpu-avx2", 0.5, 0, "global", 0.75, 10, {"cpu-avx2": 1.0}, 0.5, 1.0, 5, {0: 4})
    study = Study((run,), (), (), {"batch": 256})
    assert isinstance(study.table(), Preformatted) and isinstance(study.latency_table(), Preformatted)
    assert type(study.latency_table(markdown=True)) is str  # Markdown stays plain text, for pasting
