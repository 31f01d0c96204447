"""The top layer's reports: activities (trainings and community events), the
annual report (or any period's) and engagement since the first meeting, with
their charts. See common.py for the rule on small counts of people."""
