"""Public answers of local governments to residents' comments, promised actions, residents'
judgement of the answers, the responsiveness track and the kenesh report."""
