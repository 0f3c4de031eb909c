"""The performance service: rulebooks, demerit incidents, scorecards and bonus deductions."""
