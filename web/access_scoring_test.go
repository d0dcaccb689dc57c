package web

// accessRowsScoring classify this feature's routes.
var accessRowsScoring = []accessRow{}
