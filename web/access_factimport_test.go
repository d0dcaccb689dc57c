package web

// accessRowsFactImport classify this feature's routes.
var accessRowsFactImport = []accessRow{}
