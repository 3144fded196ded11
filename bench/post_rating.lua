-- wrk script: one POST /ratings per request with a random rating, keep-alive.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"user_id":%d,"movie_id":%d,"rating":%d.%d}',
    math.random(1, 100000), math.random(1, 5000), math.random(0, 4), math.random(0, 1) * 5)
  if body:find('"rating":0.0') then body = body:gsub('"rating":0.0', '"rating":0.5') end
  return wrk.format(nil, nil, nil, body)
end
