"""Seeded defects of the Python sample reader, for `nwa grade --selftest` (docs/grading.md).

NWA_SAMPLE_DEFECT=<name> switches one on; each changes one decision of reader.py into a mistake real connectors make.
Nothing here is for copying; the clean sample is the example.
"""
import re


def skips_cut_page(behaviour):
    """After an answer that broke off, reads the next mark out of what arrived (XML puts it first) and goes on."""
    def after_cut(mark, partial_body):
        found = re.search(r'<ContinuationMark>([^<]+)</ContinuationMark>', partial_body)
        return found.group(1) if found else mark
    behaviour.after_cut = after_cut
    return behaviour


def mark_without_namespace(behaviour):
    """Posts <ContinuationMark> without the documented namespace."""
    behaviour.mark_body = lambda mark: f'<ContinuationMark>{mark}</ContinuationMark>'
    return behaviour


DEFECTS = {'skips-cut-page': skips_cut_page, 'mark-without-namespace': mark_without_namespace}


def reader_defect(name, behaviour):
    if name not in DEFECTS:
        raise SystemExit(f'NWA_SAMPLE_DEFECT={name}: no such defect ({", ".join(DEFECTS)})')
    return DEFECTS[name](behaviour)
