module example.com/gooptions

go 1.19

require example.com/greet v0.0.0

replace example.com/greet => ./greet
