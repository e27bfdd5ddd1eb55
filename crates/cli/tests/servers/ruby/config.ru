# Runs the Rails initializer `cors-doctor config --target rails` wrote
# (SNIPPET) with Debian's rack-cors under plain Rack: Rails itself is not
# installed here, so the one call the initializer makes,
# `Rails.application.config.middleware.insert_before 0, Rack::Cors do … end`,
# becomes `use Rack::Cors do … end` as the first middleware — what
# insert_before 0 does in Rails. The block, rack-cors and the HTTP are real.
# Routes: …/missing answers 404, …/fail 500 (as Rails' exception pages do,
# inside rack-cors), the rest 200 with X-Request-Id.
# Usage: SNIPPET=file rackup -s webrick -o 127.0.0.1 -p PORT config.ru
require 'rack/cors'

builder = self
middleware = Object.new
middleware.define_singleton_method(:insert_before) do |_index, klass, *args, &block|
  builder.use(klass, *args, &block)
end
application = Struct.new(:config).new(Struct.new(:middleware).new(middleware))
rails = Module.new
rails.define_singleton_method(:application) { application }
Object.const_set(:Rails, rails)

eval(File.read(ENV.fetch('SNIPPET')), binding, ENV.fetch('SNIPPET'))

run lambda { |env|
  path = env['PATH_INFO']
  if path.end_with?('/missing')
    [404, { 'Content-Type' => 'text/plain' }, ['missing']]
  elsif path.end_with?('/fail')
    [500, { 'Content-Type' => 'text/plain' }, ['boom']]
  else
    [200, { 'Content-Type' => 'text/plain', 'X-Request-Id' => '42' }, ['ok']]
  end
}
