module example.com/org-templates

go 1.22
