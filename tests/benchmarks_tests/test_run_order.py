from benchmarks.run_order import ORDER, by_predecessor


def _row(arm, *ended):
    return {"arm": arm, "first_trials_ended": list(ended)}


def test_the_first_trial_s_end_is_grouped_by_the_arm_of_the_run_before():
    rows = [_row("a", 9.0, 15.0), _row("b", 7.0), _row("b", 7.5), _row("a", 12.0), _row("a")]
    assert by_predecessor(rows) == {
        "a": {"none": [9.0], "b": [12.0], "a": [None]},  # a run with no finished trial: None
        "b": {"a": [7.0], "b": [7.5]},
    }


def test_each_arm_runs_four_times_and_twice_right_after_the_other():
    rows = [_row(arm, 1.0) for arm in ORDER]
    grouped = by_predecessor(rows)
    assert {arm: sum(map(len, runs.values())) for arm, runs in grouped.items()} == {
        "hpsearch": 4, "hpsearch_hb_pruner": 4}  # fmt: skip
    assert len(grouped["hpsearch"]["hpsearch_hb_pruner"]) == 2
    assert len(grouped["hpsearch_hb_pruner"]["hpsearch"]) == 2
