"""The staff service: the org chart, the bilingual job-duty catalogue and employees."""
