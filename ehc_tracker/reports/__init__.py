"""Reports for managers, the Head of Service and viewers: overdue work, compliance by month,
targets, the monthly performance report and their exports."""
