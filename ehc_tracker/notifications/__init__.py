"""In-app notifications (the daily alerts addressed to the signed-in person), their digest
preferences, and the administrators' page of alert job runs."""
