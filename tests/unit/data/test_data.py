"""Reading, validating, fetching and splitting South German Credit."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_mlops.data import checks, dataset, fetch, locate, random_rows, schema, split, tables
from credit_mlops.errors import DataError


def test_real_file_loads_with_expected_shape(real_data_path: Path) -> None:
    ds = dataset.load_dataset(real_data_path)
    assert ds.shape == (1000, 20)
    assert ds.y.value_counts().to_dict() == {1: 700, 0: 300}
    assert list(ds.X.columns) == list(schema.FEATURES)


def test_crlf_copy_has_the_same_content_digest(real_data_path: Path, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.asc"
    crlf.write_bytes(real_data_path.read_bytes().replace(b"\n", b"\r\n"))
    assert dataset.load_dataset(crlf).digest == dataset.load_dataset(real_data_path).digest


def test_synthetic_is_valid_and_reproducible() -> None:
    a, b = random_rows.synthetic(300, seed=3), random_rows.synthetic(300, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(random_rows.synthetic(300, seed=4))
    checks.validate_frame(a, source="synthetic")
    assert a[schema.TARGET].value_counts().to_dict() == {1: 210, 0: 90}


def test_english_column_names_are_accepted(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    english = {c.name: c.english for c in schema.COLUMNS} | {schema.TARGET: "credit_risk"}
    path = tables.write_table(synthetic_frame.rename(columns=english), tmp_path / "en.asc")
    ds = dataset.load_dataset(path)
    assert list(ds.X.columns) == list(schema.FEATURES)


def test_comma_separated_copy_is_read(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    path = tmp_path / "copy.csv"
    synthetic_frame.to_csv(path, index=False)
    assert dataset.load_dataset(path).shape == (400, 20)


def write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    return tables.write_table(frame, tmp_path / "bad.asc")


def test_missing_file_says_how_to_get_one(tmp_path: Path) -> None:
    """Only South German Credit's own file can be fetched; any other is to be checked."""
    with pytest.raises(DataError, match=r"does not exist; .*credit data fetch.*--data PATH"):
        dataset.load_dataset(tmp_path / schema.DATA_FILE)
    with pytest.raises(DataError, match=r"nope.asc does not exist; check the path$"):
        dataset.load_dataset(tmp_path / "nope.asc")


def test_no_file_in_data_dir_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no data file in .*: run `credit data fetch`"):
        locate.find_data_file(None, tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.asc").write_text("")
    with pytest.raises(DataError, match="file is empty"):
        dataset.load_dataset(tmp_path / "empty.asc")


def test_header_only(tmp_path: Path) -> None:
    (tmp_path / "h.asc").write_text(" ".join([*schema.FEATURES, schema.TARGET]) + "\n")
    with pytest.raises(DataError, match="no data rows"):
        dataset.load_dataset(tmp_path / "h.asc")


def test_truncated_file_reports_the_line(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    path = write(tmp_path, synthetic_frame)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:101]) + "\n" + lines[101][:15] + "\n")
    with pytest.raises(DataError, match=r"missing values at line\(s\) 102 \(truncated"):
        dataset.load_dataset(path)


def test_garbled_bytes(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    path = write(tmp_path, synthetic_frame)
    path.write_bytes(path.read_bytes()[:200] + bytes(range(128, 256)) * 4)
    with pytest.raises(DataError, match="garbled"):
        dataset.load_dataset(path)


def test_text_in_a_code_column(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.astype(object)
    frame.loc[4, "alter"] = "forty"
    with pytest.raises(
        DataError, match=r"column 'alter' must hold integer codes; .*line 6 \('forty'\)"
    ):
        dataset.load_dataset(write(tmp_path, frame))


def test_wrong_columns(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"missing column\(s\) telef"):
        dataset.load_dataset(write(tmp_path, synthetic_frame.drop(columns=["telef"])))
    with pytest.raises(DataError, match=r"unexpected column\(s\) extra"):
        dataset.load_dataset(write(tmp_path, synthetic_frame.assign(extra=1)))


def test_duplicated_columns(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    path = write(tmp_path, synthetic_frame)
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("telef", "rate")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"duplicated column\(s\) rate"):
        dataset.load_dataset(path)


def test_code_out_of_domain_names_column_and_first_rows(
    tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    frame = synthetic_frame.copy()
    frame.loc[[3, 10], "laufkont"] = [9, 0]
    with pytest.raises(DataError) as info:
        dataset.load_dataset(write(tmp_path, frame))
    message = str(info.value)
    assert "column 'laufkont' has 2 codes outside 1–4" in message
    assert "line 5 (9)" in message and "line 12 (0)" in message


def test_numeric_out_of_range(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.copy()
    frame.loc[0, "alter"] = 7
    with pytest.raises(
        DataError, match=r"column 'alter' has 1 values outside 18–100: line 2 \(7\)"
    ):
        dataset.load_dataset(write(tmp_path, frame))


def test_non_binary_target(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    frame = synthetic_frame.copy()
    frame.loc[0, schema.TARGET] = 2
    with pytest.raises(DataError, match=r"target 'kredit' must be binary .* found \[2\]"):
        dataset.load_dataset(write(tmp_path, frame))


def test_single_class_target(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="has a single class"):
        dataset.load_dataset(write(tmp_path, synthetic_frame.assign(kredit=1)))


def test_too_few_rows_of_a_class(tmp_path: Path, synthetic_frame: pd.DataFrame) -> None:
    frame = pd.concat(
        [
            synthetic_frame[synthetic_frame.kredit == 1],
            synthetic_frame[synthetic_frame.kredit == 0].head(5),
        ]
    )
    with pytest.raises(DataError, match=r"target class 0 has 5 rows, fewer than the minimum 30"):
        dataset.load_dataset(write(tmp_path, frame.reset_index(drop=True)))


def test_processed_inputs_of_different_lengths(
    tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    synthetic_frame[list(schema.FEATURES)].to_csv(tmp_path / "X.csv", index=False)
    synthetic_frame[[schema.TARGET]].head(300).to_csv(tmp_path / "y.csv", index=False)
    with pytest.raises(DataError, match="--X-train has 400 rows but --y-train has 300"):
        dataset.load_processed(tmp_path / "X.csv", tmp_path / "y.csv", preprocessed=False)


def test_processed_inputs_validate_like_the_raw_file(
    tmp_path: Path, synthetic_frame: pd.DataFrame
) -> None:
    synthetic_frame[list(schema.FEATURES)].to_csv(tmp_path / "X.csv", index=False)
    synthetic_frame[[schema.TARGET]].to_csv(tmp_path / "y.csv", index=False)
    ds = dataset.load_processed(tmp_path / "X.csv", tmp_path / "y.csv", preprocessed=False)
    assert ds.shape == (400, 20)
    assert ds.digest == dataset.content_digest(synthetic_frame)


def test_holdout_is_stratified_disjoint_and_reproducible(synthetic_frame: pd.DataFrame) -> None:
    y = synthetic_frame[schema.TARGET]
    a = split.split_holdout(y, test_size=0.3, seed=5)
    b = split.split_holdout(y, test_size=0.3, seed=5)
    assert a == b
    assert set(a.train_rows).isdisjoint(a.test_rows)
    assert len(a.train_rows) + len(a.test_rows) == len(y)
    assert len(a.test_rows) == 120
    assert y.iloc[list(a.test_rows)].mean() == pytest.approx(y.mean(), abs=0.01)
    assert split.split_holdout(y, test_size=0.3, seed=6).test_rows != a.test_rows


# --- fetch, against a local HTTP server serving a copy of the archive -------------------


class Bar:
    """What pooch drives as a progress bar."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.seen = 0
        self.closed = False

    def update(self, n: int) -> None:
        self.seen += n

    def reset(self) -> None:
        self.seen = 0

    def close(self) -> None:
        self.closed = True


def test_fetch_downloads_extracts_and_validates(
    tmp_path: Path, archive_server: tuple[str, Path]
) -> None:
    url, archive = archive_server
    bar = Bar()
    path = fetch.fetch(url, tmp_path / "raw", progressbar=bar).path
    assert path == tmp_path / "raw" / schema.DATA_FILE
    assert dataset.load_dataset(path).shape == (400, 20)
    assert bar.total == archive.stat().st_size and bar.closed


def test_fetch_checks_the_archive_hash(tmp_path: Path, archive_server: tuple[str, Path]) -> None:
    url, archive = archive_server
    good = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert fetch.fetch(url, tmp_path / "ok", sha256=good).path.is_file()
    with pytest.raises(DataError, match="failed its checksum"):
        fetch.fetch(url, tmp_path / "bad", sha256="0" * 64)


def test_fetch_unreachable_host_is_a_clear_error(tmp_path: Path) -> None:
    """Said in words (the system's reason, no library's class names), exit 3; the folders
    the download would have filled are not left behind."""
    from credit_mlops.errors import SourceUnreachableError

    with pytest.raises(SourceUnreachableError) as caught:
        fetch.fetch("http://127.0.0.1:9/none.zip", tmp_path / "raw" / "deeper")
    assert str(caught.value) == (
        "http://127.0.0.1:9/none.zip is unreachable (connection refused); check the address "
        "and the network, or pass --data PATH to a local copy"
    )
    assert caught.value.exit_code == 3 and not (tmp_path / "raw").exists()


def test_fetch_refuses_an_archive_with_a_broken_file(
    tmp_path: Path, synthetic_frame: pd.DataFrame, archive_server: tuple[str, Path]
) -> None:
    url, archive = archive_server
    frame = synthetic_frame.copy()
    frame.loc[0, "verw"] = 99
    broken = tables.write_table(frame, tmp_path / "b" / schema.DATA_FILE)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(broken, schema.DATA_FILE)
    with pytest.raises(DataError, match="column 'verw'"):
        fetch.fetch(url, tmp_path / "raw2")


def test_content_digest_ignores_layout_but_not_values(synthetic_frame: pd.DataFrame) -> None:
    same = synthetic_frame.copy()
    assert dataset.content_digest(same) == dataset.content_digest(synthetic_frame)
    same.iloc[0, 0] = np.int64(4 if same.iloc[0, 0] != 4 else 3)
    assert dataset.content_digest(same) != dataset.content_digest(synthetic_frame)
